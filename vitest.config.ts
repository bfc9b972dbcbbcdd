import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{api,operator,runtime,crds,test}/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Tests talk to real servers, so allow for a slow machine. Nothing asserts on timing, except
    // where a bound is itself the contract under test, said so beside it: a leader cut off from
    // the API server stops within its renew deadline, before its lease expires for anyone else
    // (operator/controller/leader-election.test.ts).
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // A fresh worker per file: test files share real servers, never module state.
    isolate: true,
    // Fail on a stray .only so CI always runs the whole suite.
    allowOnly: false,
  },
});

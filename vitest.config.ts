import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{api,operator,runtime,crds,test}/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Tests talk to real servers, so allow for a slow machine; nothing asserts on timing.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // A fresh worker per file: test files share real servers, never module state.
    isolate: true,
    // Fail on a stray .only so CI always runs the whole suite.
    allowOnly: false,
  },
});

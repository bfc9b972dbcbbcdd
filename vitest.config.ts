import { defineConfig } from 'vitest/config';

// Tests talk to real servers, so allow for a slow machine. Nothing asserts on timing, except
// where a bound is itself the contract under test, said so beside it: a leader cut off from
// the API server stops within its renew deadline, before its lease expires for anyone else
// (operator/controller/leader-election.test.ts).
const timeouts = { testTimeout: 30_000, hookTimeout: 60_000 };

export default defineConfig({
  test: {
    // Fail on a stray .only so CI always runs the whole suite.
    allowOnly: false,
    // Two test files at a time even on 2 cores (Vitest's default there is one): most tests wait
    // on servers, clusters and containers rather than compute, and the real-node project's one
    // file at a time then runs beside the main project's instead of queueing behind it.
    maxWorkers: 2,
    projects: [
      {
        extends: false,
        test: {
          name: 'main',
          include: ['{api,operator,runtime,crds,test}/**/*.test.ts'],
          exclude: ['test/real-node/**', '**/node_modules/**'],
          globalSetup: ['test/global-setup.ts'],
          ...timeouts,
          // A fresh worker per file: test files share real servers, never module state.
          isolate: true,
          allowOnly: false,
        },
      },
      {
        // The product as an admin installs it: the built images on a single-node cluster that
        // runs real containers (test/real-node/global-setup.ts). One node and one release for
        // every file, so the files take turns.
        extends: false,
        test: {
          name: 'real-node',
          include: ['test/real-node/**/*.test.ts'],
          globalSetup: ['test/real-node/global-setup.ts'],
          ...timeouts,
          hookTimeout: 300_000,
          isolate: true,
          fileParallelism: false,
          allowOnly: false,
        },
      },
    ],
  },
});

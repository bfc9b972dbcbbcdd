import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Vitest's order (slowest known first, else largest), except that the long files whose size does
 * not say so go first. The real-node file is the longest (a node, an image import and a helm
 * install before its tests): started first, it runs beside the others instead of after them. The
 * fuzz suites are small files that run for minutes (schemathesis sends thousands of requests):
 * without Vitest's results cache, as in a fresh CI checkout, they were sorted last, and the API
 * fuzz suite ran alone for the last minute while the other worker had nothing left.
 */
const longFilesFirst = [
  'test/real-node/real-node.test.ts',
  'test/fuzz/api-fuzz.test.ts',
  'test/fuzz/runtime-fuzz.test.ts',
];

class LongFilesFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rankOf = (file: TestSpecification) => {
      const rank = longFilesFirst.findIndex((path) => file.moduleId.endsWith(path));
      return rank === -1 ? longFilesFirst.length : rank;
    };
    // Array.prototype.sort is stable: the rest keep Vitest's order.
    return sorted.sort((a, b) => rankOf(a) - rankOf(b));
  }
}

export default defineConfig({
  test: {
    include: ['{api,operator,runtime,crds,test}/**/*.test.ts', 'studio/src/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    // Tests talk to real servers, so allow for a slow machine. Nothing asserts on timing, except
    // where a bound is itself the contract under test, said so beside it: a leader cut off from
    // the API server stops within its renew deadline, before its lease expires for anyone else
    // (operator/controller/leader-election.test.ts).
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // A fresh worker per file: test files share real servers, never module state.
    isolate: true,
    // Two files at a time even on 2 cores (Vitest's default there is one): the suites mostly wait
    // on servers, clusters and containers, and one at a time took 24 minutes. Test files share
    // nothing but the global setup's servers: each cluster, API and runtime is a test's own, and
    // fake kubelets claim their pod networks across processes.
    maxWorkers: 2,
    sequence: { sequencer: LongFilesFirst },
    // Fail on a stray .only so CI always runs the whole suite.
    allowOnly: false,
  },
});

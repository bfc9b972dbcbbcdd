import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Vitest's order (slowest known first, else largest), except that the real-node file goes first:
 * it is the longest (a node, an image import and a helm install before its tests), and started
 * first it runs beside the others instead of after them.
 */
class RealNodeFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const isRealNode = (file: TestSpecification) => file.moduleId.endsWith('test/real-node/real-node.test.ts');
    return [...sorted.filter(isRealNode), ...sorted.filter((file) => !isRealNode(file))];
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
    sequence: { sequencer: RealNodeFirst },
    // Fail on a stray .only so CI always runs the whole suite.
    allowOnly: false,
  },
});

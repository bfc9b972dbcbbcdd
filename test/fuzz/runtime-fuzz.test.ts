import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectCleanFuzzRun } from './expect-clean-fuzz-run.ts';
import { runSchemathesis } from './run-schemathesis.ts';
import { runtimeFuzzTargets } from './runtime-fuzz-targets.ts';
import { type FuzzRuntime, startFuzzRuntime } from './start-fuzz-runtime.ts';

// Bounded so `npm test` stays quick; `npm run fuzz` runs the same target with many more cases.
const budget = { maxExamples: 5, workers: 1 };

describe("astromeshd's /v1 API under schemathesis (every operation, every check)", () => {
  let runtime: FuzzRuntime;
  beforeAll(async () => {
    runtime = await startFuzzRuntime();
  });
  afterAll(async () => {
    await runtime?.stop();
  });

  it('answers as its document says and never with a server error, with its bearer token', async () => {
    const [target] = runtimeFuzzTargets(runtime);
    if (!target) throw new Error('no runtime fuzz target');

    const result = await runSchemathesis(target, budget);

    expectCleanFuzzRun(result);
    // The run route reached the model: fuzzed runs were real runs.
    expect(runtime.openai.requestCount).toBeGreaterThan(0);
  }, 240_000);

  it('still serves runs afterwards', async () => {
    const response = await runtime.runtime.request(`/v1/agents/${runtime.agent}/run`, {
      method: 'POST',
      body: JSON.stringify({ query: 'Still there?' }),
    });

    expect(response.status).toBe(200);
  });
});

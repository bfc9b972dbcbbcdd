import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiFuzzTargets } from './api-fuzz-targets.ts';
import { expectCleanFuzzRun } from './expect-clean-fuzz-run.ts';
import { type FuzzBudget, type FuzzTarget, runSchemathesis } from './run-schemathesis.ts';
import { type FuzzApi, startFuzzApi } from './start-fuzz-api.ts';

// Bounded so `npm test` stays quick; `npm run fuzz` runs both targets in every phase with many
// more cases. The coverage phase's cases are the same whatever the credentials, and building them
// is most of a run's time (about 75 s of 120 on 2 cores), so here they are sent once, with the
// JWT; the API key's run is the random cases (a few more of them) and the document's links.
const withJwt: FuzzBudget = { maxExamples: 5, workers: 1 };
const withApiKey: FuzzBudget = { maxExamples: 8, workers: 1, phases: ['examples', 'fuzzing', 'stateful'] };
const runTimeoutMs = 240_000;

describe('the Cloud API under schemathesis (every operation, every check)', () => {
  let api: FuzzApi;
  let targets: FuzzTarget[];
  beforeAll(async () => {
    api = await startFuzzApi();
    targets = apiFuzzTargets(api);
  });
  afterAll(async () => {
    await api?.stop();
  });

  const fuzzWith = async (name: string, budget: FuzzBudget) => {
    const target = targets.find((candidate) => candidate.name === name) as FuzzTarget;
    const modelCallsBefore = api.openai.requestCount;

    const result = await runSchemathesis(target, budget);

    expectCleanFuzzRun(result);
    // run and test reached the model: the execution routes did real work, not only refusals.
    expect(api.openai.requestCount).toBeGreaterThan(modelCallsBefore);
  };

  it(
    "answers as its document says and never with a server error, with the fuzzer's JWT",
    () => fuzzWith('Cloud API, JWT', withJwt),
    runTimeoutMs,
  );

  it(
    'answers as its document says and never with a server error, with an admin API key',
    () => fuzzWith('Cloud API, API key', withApiKey),
    runTimeoutMs,
  );

  it('still serves the fuzzer afterwards: its token and keys were never revoked under it', async () => {
    const withToken = await api.api.request('/orgs/me', { token: api.token });
    const withKeys = await Promise.all(
      [api.main, api.providers, api.runs].map((org) => api.api.request('/orgs/me', { apiKey: org.apiKey.secret })),
    );

    expect([withToken, ...withKeys].map((response) => response.status)).toEqual([200, 200, 200, 200]);
  });
});

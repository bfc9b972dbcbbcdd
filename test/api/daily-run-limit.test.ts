import { afterEach, describe, expect, it } from 'vitest';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { jsonOf } from '../support/json-of.ts';
import { post } from '../support/post.ts';
import { startTestApi, type TestApi } from '../support/start-test-api.ts';

describe('the daily run limit', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setupDeployed() {
    const api = await startTestApi();
    cleanups.push(() => api.stop());
    const fake = await startFakeProvider('openai');
    cleanups.push(() => fake.close());
    const { org, as } = await api.signIn();
    await as('/providers', post({ provider: 'openai', api_key: 'sk-test-key', base_url: fake.baseUrl }));
    await as('/agents', post({ name: 'support-bot', step1: { model: 'openai/gpt-4o-mini' } }));
    await as('/agents/support-bot/deploy', post());
    return { api, org, as };
  }

  async function useRuns(api: TestApi, input: { org: string; runs: number; daysAgo: number }) {
    await api.db.query(
      `INSERT INTO daily_run_counters (org_id, day, runs)
       SELECT id, (now() AT TIME ZONE 'UTC')::date - $3::int, $2 FROM orgs WHERE slug = $1`,
      [input.org, input.runs, input.daysAgo],
    );
  }

  async function runsCounted(api: TestApi, org: string): Promise<number> {
    const { rows } = await api.db.query<{ runs: number }>(
      `SELECT runs FROM daily_run_counters c JOIN orgs o ON o.id = c.org_id
       WHERE o.slug = $1 AND c.day = (now() AT TIME ZONE 'UTC')::date`,
      [org],
    );
    return rows[0]?.runs ?? 0;
  }

  it('with 990 runs used today, lets exactly 10 of 50 parallel runs through and refuses 40 with 429', async () => {
    const { api, org, as } = await setupDeployed();
    await useRuns(api, { org, runs: 990, daysAgo: 0 });

    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, index) => as('/agents/support-bot/run', post({ query: `Question ${index}` }))),
    );
    const statuses = responses.map((response) => response.status);
    const refused = responses.filter((response) => response.status === 429);

    expect(statuses.filter((status) => status === 200)).toHaveLength(10);
    expect(refused).toHaveLength(40);
    expect(await jsonOf(refused[0] as Response)).toMatchObject({ error: 'daily_limit_reached', status: 429 });
    expect(refused.every((response) => response.headers.get('x-ratelimit-remaining') === '0')).toBe(true);
    expect(await runsCounted(api, org)).toBe(1000);
    expect(await jsonOf(await as('/usage?days=1'))).toMatchObject({ total_requests: 10, remaining_today: 0 });
  });

  it('counts each UTC day apart: a used-up yesterday leaves today untouched', async () => {
    const { api, org, as } = await setupDeployed();
    await useRuns(api, { org, runs: 1000, daysAgo: 1 });

    const response = await as('/agents/support-bot/run', post({ query: 'Hello' }));

    expect(response.status).toBe(200);
    expect(response.headers.get('x-ratelimit-remaining')).toBe('999');
  });

  it('takes its limit from the configuration', async () => {
    const api = await startTestApi({ env: { ASTROMESH_DAILY_RUNS: '2' } });
    cleanups.push(() => api.stop());
    const fake = await startFakeProvider('openai');
    cleanups.push(() => fake.close());
    const { as } = await api.signIn();
    await as('/providers', post({ provider: 'openai', api_key: 'sk-test-key', base_url: fake.baseUrl }));
    await as('/agents', post({ name: 'support-bot', step1: { model: 'openai/gpt-4o-mini' } }));
    await as('/agents/support-bot/deploy', post());

    const statuses: number[] = [];
    for (let run = 0; run < 3; run++)
      statuses.push((await as('/agents/support-bot/run', post({ query: 'Hi' }))).status);

    expect(statuses).toEqual([200, 200, 429]);
  });
});

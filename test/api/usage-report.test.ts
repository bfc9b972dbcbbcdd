import { afterEach, describe, expect, it } from 'vitest';
import { jsonOf } from '../support/json-of.ts';
import { startSignedInTestApi, type TestApi } from '../support/start-test-api.ts';

const utcDate = (daysAgo: number) => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - daysAgo))
    .toISOString()
    .slice(0, 10);
};

interface UsageRow {
  agent: string;
  daysAgo: number;
  tokensIn?: number;
  tokensOut?: number;
  outcome?: string;
}

describe('the usage report', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const setup = () => startSignedInTestApi((stop) => cleanups.push(stop));

  /** Usage records as runs leave them, dated `daysAgo` UTC days back at noon, priced as gpt-4o-mini ($0.15 / $0.60). */
  async function recordUsage(api: TestApi, org: string, rows: UsageRow[]) {
    for (const row of rows) {
      await api.db.query(
        `INSERT INTO usage_records (org_id, agent_name, kind, tokens_in, tokens_out, model, latency_ms, outcome, created_at,
                                    cost_nano_usd)
         SELECT id, $2, 'run', $3, $4, 'openai/gpt-4o-mini', 100, $5, ($6::date + time '12:00') AT TIME ZONE 'UTC',
                $3 * 150 + $4 * 600
         FROM orgs WHERE slug = $1`,
        [org, row.agent, row.tokensIn ?? 0, row.tokensOut ?? 0, row.outcome ?? 'ok', utcDate(row.daysAgo)],
      );
    }
  }

  async function useRunsToday(api: TestApi, org: string, runs: number) {
    await api.db.query(
      `INSERT INTO daily_run_counters (org_id, day, runs)
       SELECT id, (now() AT TIME ZONE 'UTC')::date, $2 FROM orgs WHERE slug = $1`,
      [org, runs],
    );
  }

  it('sums requests, tokens and cost of the period, per agent and per day', async () => {
    const { api, org, as } = await setup();
    await recordUsage(api, org, [
      { agent: 'support-bot', daysAgo: 0, tokensIn: 100, tokensOut: 50 },
      { agent: 'support-bot', daysAgo: 0, tokensIn: 10, tokensOut: 5 },
      { agent: 'faq-bot', daysAgo: 2, tokensIn: 40, tokensOut: 2 },
      { agent: 'support-bot', daysAgo: 2, tokensIn: 1, tokensOut: 1 },
      { agent: 'support-bot', daysAgo: 3, tokensIn: 1000, tokensOut: 1000 },
    ]);
    await useRunsToday(api, org, 2);

    const response = await as('/usage?days=3');

    expect(response.status).toBe(200);
    expect(await jsonOf(response)).toEqual({
      period_days: 3,
      total_requests: 4,
      total_tokens: 209,
      total_cost_usd: 0.00005745,
      unpriced_runs: 0,
      daily_limit: 1000,
      remaining_today: 998,
      by_agent: [
        { agent: 'support-bot', requests: 3, tokens: 167, cost_usd: 0.00005025, unpriced_runs: 0 },
        { agent: 'faq-bot', requests: 1, tokens: 42, cost_usd: 0.0000072, unpriced_runs: 0 },
      ],
      by_day: [
        { date: utcDate(2), requests: 2, tokens: 44, cost_usd: 0.00000795, unpriced_runs: 0 },
        { date: utcDate(1), requests: 0, tokens: 0, cost_usd: 0, unpriced_runs: 0 },
        { date: utcDate(0), requests: 2, tokens: 165, cost_usd: 0.0000495, unpriced_runs: 0 },
      ],
    });
  });

  it('leaves out runs that were given back because no model served them', async () => {
    const { api, org, as } = await setup();
    await recordUsage(api, org, [
      { agent: 'support-bot', daysAgo: 0, tokensIn: 10, tokensOut: 10 },
      { agent: 'support-bot', daysAgo: 0, outcome: 'not_served' },
      { agent: 'support-bot', daysAgo: 0, outcome: 'cancelled' },
    ]);

    const usage = await jsonOf(await as('/usage?days=1'));

    expect(usage).toMatchObject({ total_requests: 2, total_tokens: 20 });
  });

  it('looks back 30 days by default, listing every day of the period', async () => {
    const { api, org, as } = await setup();
    await recordUsage(api, org, [
      { agent: 'support-bot', daysAgo: 29 },
      { agent: 'support-bot', daysAgo: 30 },
    ]);

    const usage = await jsonOf(await as('/usage'));

    expect(usage.period_days).toBe(30);
    expect(usage.total_requests).toBe(1);
    expect(usage.by_day).toHaveLength(30);
    expect(usage.by_day[0]).toEqual({ date: utcDate(29), requests: 1, tokens: 0, cost_usd: 0, unpriced_runs: 0 });
    expect(usage.by_day[29].date).toBe(utcDate(0));
  });

  it('shows a new org its whole daily limit and no usage', async () => {
    const { as } = await setup();

    const usage = await jsonOf(await as('/usage?days=7'));

    expect(usage).toMatchObject({
      period_days: 7,
      total_requests: 0,
      total_tokens: 0,
      daily_limit: 1000,
      remaining_today: 1000,
      by_agent: [],
    });
  });

  it('answers 400 naming days for a period outside 1 to 90 days, or not written in digits', async () => {
    const { as } = await setup();

    // 0x10, 1e1, +7 and " 7" are numbers to Number() but not the whole numbers the document promises.
    const periods = ['0', '91', 'week', '7.5', '', '0x10', '1e1', '+7', '%207'];
    const responses = await Promise.all(periods.map((days) => as(`/usage?days=${days}`)));

    for (const response of responses) {
      expect(response.status).toBe(400);
      expect(await jsonOf(response)).toMatchObject({
        error: 'invalid_request',
        message: 'days: must be a whole number from 1 to 90',
      });
    }
    expect((await as('/usage?days=90')).status).toBe(200);
  });

  it('answers 401 without credentials and 403 for another org', async () => {
    const { api, org } = await setup();
    const stranger = await api.login();

    const anonymous = await api.request(`/orgs/${org}/usage`);
    const otherOrg = await api.request(`/orgs/${org}/usage`, { token: stranger.token });

    expect(await jsonOf(anonymous)).toMatchObject({ error: 'unauthorized', status: 401 });
    expect(await jsonOf(otherOrg)).toMatchObject({ error: 'forbidden', status: 403 });
  });

  it("never counts another org's usage", async () => {
    const { api, as } = await setup();
    const other = await api.login();
    await recordUsage(api, other.org, [{ agent: 'support-bot', daysAgo: 0, tokensIn: 5 }]);
    await useRunsToday(api, other.org, 1);

    const usage = await jsonOf(await as('/usage?days=1'));

    expect(usage).toMatchObject({ total_requests: 0, remaining_today: 1000 });
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { fakeReply } from '../fakes/fake-reply.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { aMemberOf } from '../support/a-member-of.ts';
import { anApiKeyOf } from '../support/an-api-key-of.ts';
import { jsonOf } from '../support/json-of.ts';
import { post, put } from '../support/post.ts';
import { startSignedInTestApi } from '../support/start-test-api.ts';

// gpt-6-luna: $0.10 in, $0.50 out per 1M tokens; every run here uses 1,000 in and 200 out, so it
// costs exactly 1,000 × 100 + 200 × 500 = 200,000 nano-dollars.
const tokensPerRun = 1200;
const nanoUsdPerRun = 200_000;

describe('budgets', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setupDeployed() {
    const setup = await startSignedInTestApi((stop) => cleanups.push(stop));
    const fake = await startFakeProvider('openai', {
      defaultReply: fakeReply.text('Within budget.', { usage: { inputTokens: 1000, outputTokens: 200 } }),
    });
    cleanups.push(() => fake.close());
    const { as } = setup;
    await as('/providers', post({ provider: 'openai', api_key: 'sk-test-key', base_url: fake.baseUrl }));
    for (const name of ['support-bot', 'other-bot']) {
      await as('/agents', post({ name, step1: { model: 'openai/gpt-6-luna' } }));
      const deployed = await as(`/agents/${name}/deploy`, post());
      if (deployed.status !== 200) throw new Error(`deploy failed: ${JSON.stringify(await deployed.json())}`);
    }
    const run = (agent = 'support-bot', init: RequestInit = {}) =>
      as(`/agents/${agent}/run`, { ...post({ query: 'Hello' }), ...init });
    const statusesOf = async (runs: Promise<Response>[]) => (await Promise.all(runs)).map((answer) => answer.status);
    return { ...setup, fake, run, statusesOf };
  }

  it("lets exactly an agent's daily run limit of 50 parallel runs through, and not one more", async () => {
    const { as, run, api, org } = await setupDeployed();
    const limited = await as('/agents/support-bot/limits', put({ daily_runs: 7, daily_tokens: null }));
    expect(await jsonOf(limited)).toEqual({
      name: 'support-bot',
      daily_runs: { limit: 7, used: 0 },
      daily_tokens: { limit: null, used: 0 },
    });

    const answers = await Promise.all(Array.from({ length: 50 }, () => run()));
    const refused = answers.filter((answer) => answer.status === 429);

    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(7);
    expect(refused).toHaveLength(43);
    const first = refused[0] as Response;
    expect(await jsonOf(first)).toMatchObject({
      error: 'budget_exceeded',
      status: 429,
      message: expect.stringContaining("the agent 'support-bot' has used 7 of its 7 runs of today (UTC)"),
    });
    expect(Object.fromEntries([...first.headers].filter(([name]) => name.startsWith('x-budget-')))).toMatchObject({
      'x-budget-scope': 'agent',
      'x-budget-name': 'daily_runs',
      'x-budget-limit': '7',
      'x-budget-used': '7',
    });
    const reset = Number(first.headers.get('x-budget-reset'));
    expect(reset * 1000).toBe(nextUtcMidnight());
    expect(Number(first.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(first.headers.get('retry-after'))).toBeLessThanOrEqual(86_400);
    // The refused runs took nothing: the org's daily count and the usage report say 7, another agent runs on.
    expect(await jsonOf(await as('/usage?days=1'))).toMatchObject({ total_requests: 7, remaining_today: 993 });
    expect((await run('other-bot')).status).toBe(200);
    const { rows } = await api.db.query<{ runs: number }>(
      `SELECT runs FROM daily_run_counters c JOIN orgs o ON o.id = c.org_id WHERE o.slug = $1`,
      [org],
    );
    expect(rows).toEqual([{ runs: 8 }]);
  });

  it("lets exactly an API key's daily run limit of 50 parallel runs through; the owner's own runs are not the key's", async () => {
    const { api, owner, run } = await setupDeployed();
    const key = await anApiKeyOf(api, { org: owner.org, token: owner.token });
    const limited = await api.request(`/orgs/${owner.org}/keys/${key.id}/limits`, {
      ...put({ daily_runs: 5, daily_tokens: null }),
      token: owner.token,
    });
    expect(await jsonOf(limited)).toMatchObject({ id: key.id, name: 'test key', daily_runs: { limit: 5, used: 0 } });
    // The agent's own limit is higher: each run the key's limit refuses gives back the agent's run it took.
    await api.request(`/orgs/${owner.org}/agents/support-bot/limits`, {
      ...put({ daily_runs: 20, daily_tokens: null }),
      token: owner.token,
    });

    const withKey = () =>
      api.request(`/orgs/${owner.org}/agents/support-bot/run`, { ...post({ query: 'Hi' }), apiKey: key.secret });
    const answers = await Promise.all(Array.from({ length: 50 }, withKey));
    const refused = answers.filter((answer) => answer.status === 429);

    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(5);
    expect(refused).toHaveLength(45);
    expect(refused[0]?.headers.get('x-budget-scope')).toBe('api_key');
    expect(await jsonOf(refused[0] as Response)).toMatchObject({
      error: 'budget_exceeded',
      message: expect.stringContaining(`the API key ${key.id} has used 5 of its 5 runs of today`),
    });
    expect((await run()).status).toBe(200);
    const budgets = await jsonOf(await api.request(`/orgs/${owner.org}/budgets`, { token: owner.token }));
    expect(budgets.api_keys).toEqual([
      {
        id: key.id,
        name: 'test key',
        daily_runs: { limit: 5, used: 5 },
        daily_tokens: { limit: null, used: 5 * tokensPerRun },
      },
    ]);
    expect(budgets.agents).toContainEqual({
      name: 'support-bot',
      daily_runs: { limit: 20, used: 6 },
      daily_tokens: { limit: null, used: 6 * tokensPerRun },
    });
  });

  it("refuses an agent's runs once its settled tokens of the day reach its daily token limit", async () => {
    const { as, run, api } = await setupDeployed();
    await as('/agents/support-bot/limits', put({ daily_runs: null, daily_tokens: 2 * tokensPerRun }));

    expect((await run()).status).toBe(200);
    await api.api.services.usage.settled();
    expect((await run()).status).toBe(200);
    await api.api.services.usage.settled();
    const refused = await run();

    expect(refused.status).toBe(429);
    expect(refused.headers.get('x-budget-name')).toBe('daily_tokens');
    expect(refused.headers.get('x-budget-used')).toBe(String(2 * tokensPerRun));
    expect(await jsonOf(refused)).toMatchObject({
      error: 'budget_exceeded',
      message: expect.stringContaining(`has used ${2 * tokensPerRun} of its ${2 * tokensPerRun} tokens of today`),
    });
  });

  it("refuses every run of the org once the month's spend reaches its budget, until the budget is raised", async () => {
    const { as, run, api, statusesOf } = await setupDeployed();
    const budgetUsd = (3 * nanoUsdPerRun) / 1e9;
    const set = await jsonOf(await as('/budgets/monthly-spend', put({ limit_usd: budgetUsd })));
    expect(set).toMatchObject({ limit_usd: budgetUsd, used_usd: 0, month: new Date().toISOString().slice(0, 7) });

    for (let index = 0; index < 3; index++) {
      const answer = await jsonOf(await run(index % 2 ? 'other-bot' : 'support-bot'));
      expect(answer.cost_usd).toBe(nanoUsdPerRun / 1e9);
      await api.api.services.usage.settled();
    }
    // At the budget, 50 parallel runs of any agent are all refused, and none is counted.
    const statuses = await statusesOf(
      Array.from({ length: 50 }, (_, index) => run(index % 2 ? 'other-bot' : 'support-bot')),
    );
    expect(statuses.filter((status) => status === 429)).toHaveLength(50);
    const refused = await run();
    expect(Object.fromEntries([...refused.headers].filter(([name]) => name.startsWith('x-budget-')))).toEqual({
      'x-budget-scope': 'org',
      'x-budget-name': 'monthly_spend_usd',
      'x-budget-limit': String(budgetUsd),
      'x-budget-used': String(budgetUsd),
      'x-budget-reset': String(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() + 1, 1) / 1000),
    });
    expect(await jsonOf(await as('/usage?days=1'))).toMatchObject({
      total_requests: 3,
      total_cost_usd: budgetUsd,
    });

    await as('/budgets/monthly-spend', put({ limit_usd: null }));
    expect((await run()).status).toBe(200);
  });

  it('a run no model served gives its run back to the agent and the API key', async () => {
    const { as, api, owner, fake } = await setupDeployed();
    const key = await anApiKeyOf(api, { org: owner.org, token: owner.token });
    await as('/agents/support-bot/limits', put({ daily_runs: 1, daily_tokens: null }));
    await as(`/keys/${key.id}/limits`, put({ daily_runs: 1, daily_tokens: null }));
    const withKey = () =>
      api.request(`/orgs/${owner.org}/agents/support-bot/run`, { ...post({ query: 'Hi' }), apiKey: key.secret });
    fake.setDefaultReply(fakeReply.failure(401, { message: 'invalid api key' }));

    const unserved = await withKey();
    const budgets = await jsonOf(await as('/budgets'));
    fake.setDefaultReply(fakeReply.text('Served.'));
    const served = await withKey();

    expect(unserved.status).toBeGreaterThanOrEqual(400);
    expect(budgets.agents).toContainEqual(
      expect.objectContaining({ name: 'support-bot', daily_runs: { limit: 1, used: 0 } }),
    );
    expect(budgets.api_keys).toEqual([expect.objectContaining({ id: key.id, daily_runs: { limit: 1, used: 0 } })]);
    expect(served.status).toBe(200);
  });

  it("sweeps the counters of past days and months, and keeps today's, this month's and a week behind", async () => {
    const { as, api, owner, run } = await setupDeployed();
    await as('/agents/support-bot/limits', put({ daily_runs: 2, daily_tokens: null }));
    expect((await run()).status).toBe(200);
    // Its usage record, which adds this month's org counter, is written after the answer.
    await api.api.services.usage.settled();
    // The sweep the API starts with has run, so the rows below meet only the one this test calls.
    await api.api.services.budgets.sweep();
    const today = "(now() AT TIME ZONE 'UTC')::date";
    const month = `date_trunc('month', ${today})::date`;
    await api.db.query(
      `WITH org AS (SELECT id FROM orgs WHERE slug = $1)
       INSERT INTO budget_counters (org_id, scope, target, period, runs, tokens)
       SELECT org.id, scope, target, period, 1, 100 FROM org, (VALUES
         ('agent', 'support-bot', ${today} - 8), ('agent', 'support-bot', ${today} - 7),
         ('api_key', 'k-gone', ${today} - 30),
         ('org', '', (${month} - interval '2 months')::date), ('org', '', (${month} - interval '1 month')::date)
       ) AS old (scope, target, period)`,
      [owner.org],
    );
    await api.db.query(
      `INSERT INTO daily_run_counters (org_id, day, runs)
       SELECT id, day, 5 FROM orgs, (VALUES (${today} - 8), (${today} - 7)) AS old (day) WHERE slug = $1`,
      [owner.org],
    );

    await api.api.services.budgets.sweep();

    const age = async (sql: string) =>
      (await api.db.query<{ row: string }>(sql, [owner.org])).rows.map((row) => row.row).sort();
    expect(
      await age(
        `SELECT c.scope || ' ' || (${today} - c.period) AS row FROM budget_counters c JOIN orgs o ON o.id = c.org_id
          WHERE o.slug = $1 AND c.scope <> 'org'`,
      ),
    ).toEqual(['agent 0', 'agent 7']);
    expect(
      await age(
        `SELECT to_char(c.period, 'YYYY-MM') AS row FROM budget_counters c JOIN orgs o ON o.id = c.org_id
          WHERE o.slug = $1 AND c.scope = 'org'`,
      ),
    ).toEqual(
      await age(
        `SELECT to_char(${month} - interval '1 month', 'YYYY-MM') AS row WHERE $1::text IS NOT NULL
         UNION ALL SELECT to_char(${month}, 'YYYY-MM') WHERE $1::text IS NOT NULL`,
      ),
    );
    expect(
      await age(
        `SELECT (${today} - d.day)::text AS row FROM daily_run_counters d JOIN orgs o ON o.id = d.org_id WHERE o.slug = $1`,
      ),
    ).toEqual(['0', '7']);
    // Today's counts are untouched: the limit still holds at exactly 2.
    expect((await run()).status).toBe(200);
    expect((await run()).status).toBe(429);
  });

  it('are set by owners and admins only, for what exists, with errors naming the field', async () => {
    const { as, api, owner } = await setupDeployed();
    const member = await aMemberOf(api, { org: owner.org, ownerToken: owner.token });

    const cases: [RequestInit & { path: string }, number, unknown][] = [
      [{ path: '/budgets/monthly-spend', ...put({ limit_usd: -1 }) }, 400, 'limit_usd'],
      [{ path: '/budgets/monthly-spend', ...put({ limit_usd: '5' }) }, 400, 'limit_usd'],
      [{ path: '/budgets/monthly-spend', ...put({}) }, 400, 'limit_usd'],
      [{ path: '/budgets/monthly-spend', ...put({ limit_usd: 5, limit: 3 }) }, 400, 'limit'],
      [{ path: '/agents/support-bot/limits', ...put({ daily_runs: 1.5, daily_tokens: null }) }, 400, 'daily_runs'],
      [{ path: '/agents/support-bot/limits', ...put({ daily_run: 5, daily_tokens: null }) }, 400, 'daily_run'],
      [{ path: '/agents/no-such-bot/limits', ...put({ daily_runs: 5, daily_tokens: null }) }, 404, 'no-such-bot'],
      [{ path: '/keys/key_missing/limits', ...put({ daily_runs: 5, daily_tokens: null }) }, 404, 'key_missing'],
    ];
    for (const [{ path, ...init }, status, named] of cases) {
      const answer = await as(path, init);
      expect({ path, status: answer.status }).toEqual({ path, status });
      expect(JSON.stringify(await jsonOf(answer))).toContain(named);
    }
    const byMember = await api.request(`/orgs/${owner.org}/budgets/monthly-spend`, {
      ...put({ limit_usd: 1 }),
      token: member.token,
    });
    expect(byMember.status).toBe(403);
    expect((await api.request(`/orgs/${owner.org}/budgets`, { token: member.token })).status).toBe(403);
    expect((await jsonOf(await as('/budgets'))).monthly_spend.limit_usd).toBeNull();
  });
});

function nextUtcMidnight(): number {
  const now = new Date();
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
}

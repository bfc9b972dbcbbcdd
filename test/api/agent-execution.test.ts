import { afterEach, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-provider.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { eventually } from '../support/eventually.ts';
import { jsonOf } from '../support/json-of.ts';
import { post } from '../support/post.ts';
import { startSignedInTestApi } from '../support/start-test-api.ts';

const aSupportBot = (overrides: { system_prompt?: string } = {}) => ({
  name: 'support-bot',
  step1: { model: 'openai/gpt-4o-mini' },
  step2: { system_prompt: overrides.system_prompt ?? 'You are a helpful support agent.' },
});

const nextUtcMidnightSeconds = () => {
  const now = new Date();
  return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1) / 1000;
};

describe('running and testing agents', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const setup = (env?: Record<string, string>) => startSignedInTestApi((stop) => cleanups.push(stop), { env });

  async function aFakeOpenAi(): Promise<FakeProvider> {
    const fake = await startFakeProvider('openai');
    cleanups.push(() => fake.close());
    return fake;
  }

  /** An org whose openai key points at a fake, with support-bot deployed. */
  async function setupDeployed(agent = aSupportBot(), env?: Record<string, string>) {
    const setupResult = await setup(env);
    const fake = await aFakeOpenAi();
    const { as } = setupResult;
    await as('/providers', post({ provider: 'openai', api_key: 'sk-test-key', base_url: fake.baseUrl }));
    await as('/agents', post(agent));
    const deployed = await as('/agents/support-bot/deploy', post());
    if (deployed.status !== 200) throw new Error(`deploy failed: ${JSON.stringify(await deployed.json())}`);
    return { ...setupResult, fake };
  }

  async function setCountersRow(api: Awaited<ReturnType<typeof setup>>['api'], org: string, runs: number) {
    await api.db.query(
      `INSERT INTO daily_run_counters (org_id, day, runs)
       SELECT id, (now() AT TIME ZONE 'UTC')::date, $2 FROM orgs WHERE slug = $1`,
      [org, runs],
    );
  }

  it('runs a deployed agent and answers with the answer, session, tokens, model, latency and trace', async () => {
    const { as, fake } = await setupDeployed();
    fake.enqueue(
      fakeReply.text('Returns are accepted within 30 days.', { usage: { inputTokens: 12, outputTokens: 8 } }),
    );

    const response = await as('/agents/support-bot/run', post({ query: 'What is the refund policy?' }));
    const body = await jsonOf(response);

    expect(response.status).toBe(200);
    expect(body).toEqual({
      answer: 'Returns are accepted within 30 days.',
      session_id: expect.stringMatching(/^[A-Za-z0-9_.:@-]+$/),
      tokens_used: 20,
      input_tokens: 12,
      output_tokens: 8,
      // gpt-4o-mini: $0.15 / $0.60 per 1M tokens.
      cost_usd: (12 * 150 + 8 * 600) / 1e9,
      model: 'openai/gpt-4o-mini',
      latency_ms: expect.any(Number),
      trace_id: expect.any(String),
      version: 1,
    });
    expect(fake.lastRequest.headers.authorization).toBe('Bearer sk-test-key');
  });

  it('sends the rate limit headers with a run, the reset being the next UTC midnight', async () => {
    const { as } = await setupDeployed();

    const response = await as('/agents/support-bot/run', post({ query: 'Hello' }));

    expect(response.headers.get('x-ratelimit-limit')).toBe('1000');
    expect(response.headers.get('x-ratelimit-remaining')).toBe('999');
    expect(Number(response.headers.get('x-ratelimit-reset'))).toBe(nextUtcMidnightSeconds());
  });

  it("passes the caller's context to the agent's prompt", async () => {
    const { as, fake } = await setupDeployed(aSupportBot({ system_prompt: 'You help the user {{ user_id }}.' }));

    await as('/agents/support-bot/run', post({ query: 'Who am I?', context: { user_id: 'usr_456', channel: 'web' } }));

    expect(fake.lastRequest.body.messages).toContainEqual({ role: 'system', content: 'You help the user usr_456.' });
  });

  it('keeps the session id it is given', async () => {
    const { as } = await setupDeployed();

    const body = await jsonOf(await as('/agents/support-bot/run', post({ query: 'Hi', session_id: 'user-session-1' })));

    expect(body.session_id).toBe('user-session-1');
  });

  it('tests a deployed agent without counting it against the daily limit or in usage', async () => {
    const { as } = await setupDeployed();

    const tested = await as('/agents/support-bot/test', post({ query: 'Hello, can you help me?' }));
    const usage = await jsonOf(await as('/usage'));

    expect(tested.status).toBe(200);
    expect(await jsonOf(tested)).toMatchObject({ answer: 'Hello from the fake provider.', tokens_used: 30 });
    expect(tested.headers.get('x-ratelimit-remaining')).toBe('1000');
    expect(usage).toMatchObject({ total_requests: 0, remaining_today: 1000 });
  });

  it('records each run in the usage report', async () => {
    const { as } = await setupDeployed();

    await as('/agents/support-bot/run', post({ query: 'One' }));
    await as('/agents/support-bot/run', post({ query: 'Two' }));
    const usage = await jsonOf(await as('/usage?days=1'));

    expect(usage).toMatchObject({
      total_requests: 2,
      total_tokens: 60,
      remaining_today: 998,
      by_agent: [{ agent: 'support-bot', requests: 2, tokens: 60 }],
    });
  });

  it('counts runs and tests with their outcome and tokens in the metrics', async () => {
    const { api, as, org } = await setupDeployed();

    await as('/agents/support-bot/run', post({ query: 'One' }));
    await as('/agents/support-bot/test', post({ query: 'Two' }));
    const metrics = await (await fetch(`${api.url}/metrics`)).text();

    const labels = `org="${org}",agent="support-bot"`;
    expect(metrics).toContain(`astromesh_runs_total{${labels},kind="run",outcome="ok"} 1`);
    expect(metrics).toContain(`astromesh_runs_total{${labels},kind="test",outcome="ok"} 1`);
    expect(metrics).toContain(`astromesh_tokens_total{${labels},direction="out"} 40`);
  });

  it('refuses to run or test a draft agent with 400 agent_not_deployed', async () => {
    const { as } = await setup();
    await as('/agents', post(aSupportBot()));

    const run = await as('/agents/support-bot/run', post({ query: 'Hello' }));
    const test = await as('/agents/support-bot/test', post({ query: 'Hello' }));

    expect(run.status).toBe(400);
    expect(await jsonOf(run)).toEqual({
      error: 'agent_not_deployed',
      message: "Agent 'support-bot' is in draft state. Deploy it first.",
      status: 400,
    });
    expect(await jsonOf(test)).toMatchObject({ error: 'agent_not_deployed', status: 400 });
  });

  it('refuses to run or test a paused agent with 400 agent_not_deployed', async () => {
    const { as } = await setupDeployed();
    await as('/agents/support-bot/pause', post());

    const run = await as('/agents/support-bot/run', post({ query: 'Hello' }));
    const test = await as('/agents/support-bot/test', post({ query: 'Hello' }));

    expect(await jsonOf(run)).toMatchObject({
      error: 'agent_not_deployed',
      message: expect.stringContaining('paused'),
      status: 400,
    });
    expect(await jsonOf(test)).toMatchObject({ error: 'agent_not_deployed', status: 400 });
  });

  it('answers 404 for an agent that does not exist', async () => {
    const { as } = await setup();

    const run = await as('/agents/ghost/run', post({ query: 'Hello' }));
    const test = await as('/agents/ghost/test', post({ query: 'Hello' }));

    expect(await jsonOf(run)).toEqual({ error: 'not_found', message: "agent 'ghost' not found", status: 404 });
    expect(test.status).toBe(404);
  });

  it('answers 401 without credentials and 403 for another org', async () => {
    const { api, org } = await setup();
    const stranger = await api.login();

    const anonymous = await api.request(`/orgs/${org}/agents/support-bot/run`, post({ query: 'Hello' }));
    const otherOrg = await api.request(`/orgs/${org}/agents/support-bot/run`, {
      ...post({ query: 'Hello' }),
      token: stranger.token,
    });
    const otherOrgTest = await api.request(`/orgs/${org}/agents/support-bot/test`, {
      ...post({ query: 'Hello' }),
      token: stranger.token,
    });

    expect(await jsonOf(anonymous)).toMatchObject({ error: 'unauthorized', status: 401 });
    expect(await jsonOf(otherOrg)).toMatchObject({ error: 'forbidden', status: 403 });
    expect(otherOrgTest.status).toBe(403);
  });

  it('answers 400 naming the field for a request without a query', async () => {
    const { as } = await setupDeployed();

    const response = await as('/agents/support-bot/run', post({ session_id: 'abc' }));

    expect(response.status).toBe(400);
    expect(await jsonOf(response)).toMatchObject({
      error: 'invalid_request',
      message: expect.stringMatching(/^query: /),
    });
  });

  it('runs with an API key of the org', async () => {
    const { api, as, org } = await setupDeployed();
    const key = await jsonOf(await as('/keys', post({ name: 'Production' })));

    const response = await api.request(`/orgs/${org}/agents/support-bot/run`, {
      ...post({ query: 'Hello' }),
      apiKey: key.secret,
    });

    expect(response.status).toBe(200);
    expect(await jsonOf(response)).toMatchObject({ answer: 'Hello from the fake provider.' });
  });

  it('answers 429 daily_limit_reached with Retry-After once the day is used up, while test still works', async () => {
    const { api, as, org } = await setupDeployed();
    await setCountersRow(api, org, 1000);

    const run = await as('/agents/support-bot/run', post({ query: 'Hello' }));
    const test = await as('/agents/support-bot/test', post({ query: 'Hello' }));

    expect(run.status).toBe(429);
    expect(await jsonOf(run)).toMatchObject({ error: 'daily_limit_reached', status: 429 });
    expect(run.headers.get('x-ratelimit-limit')).toBe('1000');
    expect(run.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(run.headers.get('x-ratelimit-reset'))).toBe(nextUtcMidnightSeconds());
    expect(Number(run.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(Number(run.headers.get('retry-after'))).toBeLessThanOrEqual(86_400);
    expect(test.status).toBe(200);
  });

  it("answers 503 providers_unavailable with the runtime's message when every provider fails, and counts no run", async () => {
    const { as, fake } = await setupDeployed();
    fake.setDefaultReply(fakeReply.failure(401));

    const response = await as('/agents/support-bot/run', post({ query: 'Hello' }));
    const usage = await jsonOf(await as('/usage'));

    expect(response.status).toBe(503);
    expect(await jsonOf(response)).toMatchObject({
      error: 'providers_unavailable',
      message: expect.stringContaining('openai/gpt-4o-mini'),
      status: 503,
    });
    expect(response.headers.get('x-ratelimit-remaining')).toBe('1000');
    expect(usage).toMatchObject({ total_requests: 0, remaining_today: 1000 });
  });

  it("answers 502 runtime_unavailable when the org's runtime cannot be reached for ASTROMESH_RUNTIME_RETRY_SECONDS, and counts no run", async () => {
    const { api, as } = await setupDeployed(aSupportBot(), { ASTROMESH_RUNTIME_RETRY_SECONDS: '2' });
    await api.api.backend.close();

    const sentAt = performance.now();
    const response = await as('/agents/support-bot/run', post({ query: 'Hello' }));
    const waitedMs = performance.now() - sentAt;
    const usage = await jsonOf(await as('/usage'));

    // Tried again for the whole window before giving up, not a moment less.
    expect(waitedMs).toBeGreaterThanOrEqual(2_000);
    expect(response.status).toBe(502);
    expect(await jsonOf(response)).toMatchObject({ error: 'runtime_unavailable', status: 502 });
    expect(usage.remaining_today).toBe(1000);
  });

  it("cancels the runtime's model request when the client disconnects, and still counts the run", async () => {
    const { as, fake } = await setupDeployed();
    fake.enqueue(fakeReply.hang());
    const client = new AbortController();

    const pending = as('/agents/support-bot/run', { ...post({ query: 'Hello' }), signal: client.signal });
    await eventually(() => expect(fake.requests).toHaveLength(1));
    client.abort();

    await expect(pending).rejects.toThrow();
    await eventually(() => expect(fake.lastRequest.wasAbortedByClient).toBe(true));
    await eventually(async () => expect((await jsonOf(await as('/usage'))).total_requests).toBe(1));
  });
});

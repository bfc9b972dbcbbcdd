import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { fakeReply } from '../fakes/fake-reply.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { abandonUpgradeRequest } from '../support/abandon-upgrade-request.ts';
import { eventually } from '../support/eventually.ts';
import { jsonOf } from '../support/json-of.ts';
import { type AgentSocket, openAgentSocket } from '../support/open-agent-socket.ts';
import { post } from '../support/post.ts';
import { startSignedInTestApi } from '../support/start-test-api.ts';
import { websocketUpgradeAnswer } from '../support/websocket-upgrade-answer.ts';

const aSupportBot = { name: 'support-bot', step1: { model: 'openai/gpt-4o-mini' } };

type StreamTarget = { agent?: string; token?: string; org?: string; mode?: string };

describe('streaming an agent over WebSocket', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup() {
    const { api, token, org, as } = await startSignedInTestApi((stop) => cleanups.push(stop));
    const streamUrl = (input: StreamTarget = {}) => {
      const params = new URLSearchParams(input.token === '' ? {} : { token: input.token ?? token });
      if (input.mode) params.set('mode', input.mode);
      const query = params.size === 0 ? '' : `?${params}`;
      const ws = api.url.replace(/^http/, 'ws');
      return `${ws}/api/v1/orgs/${input.org ?? org}/agents/${input.agent ?? 'support-bot'}/stream${query}`;
    };
    const openStream = async (input: StreamTarget = {}) => {
      const url = new URL(streamUrl(input));
      const socket = await openAgentSocket(api.url, { path: `${url.pathname}${url.search}` });
      cleanups.push(() => socket.close());
      return socket;
    };
    return { api, token, org, as, streamUrl, openStream };
  }

  /** An org whose openai key points at a fake, with support-bot deployed. */
  async function setupDeployed() {
    const base = await setup();
    const fake = await startFakeProvider('openai');
    cleanups.push(() => fake.close());
    await base.as('/providers', post({ provider: 'openai', api_key: 'sk-test-key', base_url: fake.baseUrl }));
    await base.as('/agents', post(aSupportBot));
    await base.as('/agents/support-bot/deploy', post());
    return { ...base, fake };
  }

  it('streams the answer as token events, then done with the answer and tokens used', async () => {
    const { openStream, fake } = await setupDeployed();
    fake.enqueue(
      fakeReply.text('Our pricing starts at ten dollars.', { usage: { inputTokens: 50, outputTokens: 39 } }),
    );
    const socket = await openStream();

    socket.send({ query: 'Explain our pricing', session_id: 'sess-001' });
    const events = await socket.untilEnd();

    const tokens = events.filter((event) => event.type === 'token');
    expect(tokens.length).toBeGreaterThan(1);
    expect(tokens.map((event) => event.content).join('')).toBe('Our pricing starts at ten dollars.');
    expect(events.at(-1)).toEqual({
      type: 'done',
      answer: 'Our pricing starts at ten dollars.',
      tokens_used: 89,
      input_tokens: 50,
      output_tokens: 39,
      cost_usd: (50 * 150 + 39 * 600) / 1e9,
      session_id: 'sess-001',
      model: 'openai/gpt-4o-mini',
      latency_ms: expect.any(Number),
      trace_id: expect.any(String),
      version: 1,
    });
  });

  it('runs one query after another on the same socket, each counted in usage', async () => {
    const { openStream, as } = await setupDeployed();
    const socket = await openStream();

    socket.send({ query: 'First' });
    const first = await socket.untilEnd();
    socket.send({ query: 'Second' });
    const second = await socket.untilEnd();
    const usage = await jsonOf(await as('/usage?days=1'));

    expect([first.at(-1)?.type, second.at(-1)?.type]).toEqual(['done', 'done']);
    expect(usage).toMatchObject({ total_requests: 2, remaining_today: 998 });
  });

  it('runs the queries of a ?mode=test stream as tests: not counted in usage, nor held to the daily limit', async () => {
    const { api, org, openStream, as } = await setupDeployed();
    const testStream = await openStream({ mode: 'test' });
    const runStream = await openStream({ mode: 'run' });

    testStream.send({ query: 'First test' });
    const firstTest = await testStream.untilEnd();
    testStream.send({ query: 'Second test' });
    const secondTest = await testStream.untilEnd();
    const afterTests = await jsonOf(await as('/usage?days=1'));
    runStream.send({ query: 'A real run' });
    const run = await runStream.untilEnd();
    const afterRun = await jsonOf(await as('/usage?days=1'));
    await api.db.query(
      `UPDATE daily_run_counters SET runs = 1000
       WHERE org_id = (SELECT id FROM orgs WHERE slug = $1) AND day = (now() AT TIME ZONE 'UTC')::date`,
      [org],
    );
    testStream.send({ query: 'A test past the limit' });
    const pastTheLimit = await testStream.untilEnd();

    expect([firstTest, secondTest, run, pastTheLimit].map((events) => events.at(-1)?.type)).toEqual([
      'done',
      'done',
      'done',
      'done',
    ]);
    expect(firstTest.some((event) => event.type === 'token')).toBe(true);
    expect(afterTests).toMatchObject({ total_requests: 0, remaining_today: 1000 });
    expect(afterRun).toMatchObject({ total_requests: 1, remaining_today: 999 });
  });

  it('refuses the upgrade with 400 naming query.mode for a mode other than run or test', async () => {
    const { as, streamUrl } = await setup();
    await as('/agents', post(aSupportBot));

    const answer = await websocketUpgradeAnswer(streamUrl({ mode: 'free' }));

    expect(answer).toMatchObject({
      status: 400,
      body: expect.objectContaining({ error: 'invalid_request', message: 'query.mode: must be run or test' }),
    });
  });

  it("cancels the run and its model request on {type: 'cancel'}, ends it with cancelled, and serves the next query", async () => {
    const { openStream, fake } = await setupDeployed();
    fake.enqueue(fakeReply.text('one two three four five six', { stallAfterDeltas: 2 }));
    const socket = await openStream({ mode: 'test' });

    socket.send({ query: 'Count' });
    await socket.until((event) => event.type === 'token');
    socket.send({ type: 'cancel' });
    const rest = await socket.until((event) => ['done', 'error', 'cancelled'].includes(event.type));
    socket.send({ type: 'cancel' }); // nothing runs: ignored, no event
    socket.send({ query: 'Hello again' });
    const next = await socket.untilEnd();

    expect(rest.at(-1)).toEqual({ type: 'cancelled' });
    await eventually(() => expect(fake.requests[0]?.wasAbortedByClient).toBe(true));
    expect(next.at(-1)).toMatchObject({ type: 'done', answer: 'Hello from the fake provider.' });
    expect(next.filter((event) => event.type !== 'token' && event.type !== 'done')).toEqual([]);
  });

  it('accepts an API key of the org as the token', async () => {
    const { as, openStream } = await setupDeployed();
    const key = await jsonOf(await as('/keys', post({ name: 'Streaming' })));
    const socket = await openStream({ token: key.secret });

    socket.send({ query: 'Hello' });
    const events = await socket.untilEnd();

    expect(events.at(-1)).toMatchObject({ type: 'done', answer: 'Hello from the fake provider.' });
  });

  it('refuses the upgrade with 401 without a token or with a bad one', async () => {
    const { as, streamUrl } = await setup();
    await as('/agents', post(aSupportBot));

    const missing = await websocketUpgradeAnswer(streamUrl({ token: '' }));
    const invalid = await websocketUpgradeAnswer(streamUrl({ token: 'not-a-jwt' }));
    const revokedLooking = await websocketUpgradeAnswer(streamUrl({ token: 'ask-not-a-real-key' }));

    expect(missing).toMatchObject({
      status: 401,
      body: expect.objectContaining({ error: 'unauthorized', status: 401 }),
    });
    expect(invalid.status).toBe(401);
    expect(revokedLooking.status).toBe(401);
  });

  it('refuses the upgrade with 403 for another org and 404 for an unknown agent or path', async () => {
    const { api, as, streamUrl } = await setup();
    await as('/agents', post(aSupportBot));
    const stranger = await api.login();

    const otherOrg = await websocketUpgradeAnswer(streamUrl({ token: stranger.token }));
    const unknownAgent = await websocketUpgradeAnswer(streamUrl({ agent: 'ghost' }));
    const unknownPath = await websocketUpgradeAnswer(`${api.url.replace(/^http/, 'ws')}/api/v1/elsewhere`);

    expect(otherOrg).toMatchObject({ status: 403, body: expect.objectContaining({ error: 'forbidden', status: 403 }) });
    expect(unknownAgent).toMatchObject({
      status: 404,
      body: { error: 'not_found', message: "agent 'ghost' not found", status: 404 },
    });
    expect(unknownPath.status).toBe(404);
  });

  it('answers a query to a draft or paused agent with an agent_not_deployed error event', async () => {
    const { as, openStream } = await setupDeployed();
    await as('/agents', post({ name: 'draft-bot', step1: { model: 'openai/gpt-4o-mini' } }));
    const draft = await openStream({ agent: 'draft-bot' });
    const paused = await openStream();
    await as('/agents/support-bot/pause', post());

    draft.send({ query: 'Hello' });
    paused.send({ query: 'Hello' });

    expect(await draft.next()).toEqual({
      type: 'error',
      error: 'agent_not_deployed',
      message: "Agent 'draft-bot' is in draft state. Deploy it first.",
      status: 400,
    });
    expect(await paused.next()).toMatchObject({ type: 'error', error: 'agent_not_deployed', status: 400 });
  });

  it('answers a message that is not a query with an invalid_request error event naming the field', async () => {
    const { as, openStream } = await setup();
    await as('/agents', post(aSupportBot));
    const socket = await openStream();

    socket.send({ session_id: 'sess-1' });
    const missingQuery = await socket.next();
    socket.send('not json');
    const notJson = await socket.next();

    expect(missingQuery).toMatchObject({
      type: 'error',
      error: 'invalid_request',
      message: expect.stringMatching(/^query: /),
    });
    expect(notJson).toMatchObject({
      type: 'error',
      error: 'invalid_request',
      message: expect.stringMatching(/^message: /),
    });
  });

  it('answers a query past the daily limit with a daily_limit_reached error event', async () => {
    const { api, org, openStream } = await setupDeployed();
    await api.db.query(
      `INSERT INTO daily_run_counters (org_id, day, runs)
       SELECT id, (now() AT TIME ZONE 'UTC')::date, 1000 FROM orgs WHERE slug = $1`,
      [org],
    );
    const socket = await openStream();

    socket.send({ query: 'Hello' });

    expect(await socket.next()).toMatchObject({ type: 'error', error: 'daily_limit_reached', status: 429 });
  });

  it('refuses a second query while one is running with run_in_progress', async () => {
    const { openStream, fake } = await setupDeployed();
    fake.enqueue(fakeReply.hang());
    const socket = await openStream();

    socket.send({ query: 'First' });
    await eventually(() => expect(fake.requests).toHaveLength(1));
    socket.send({ query: 'Second' });

    expect(await socket.next()).toMatchObject({ type: 'error', error: 'run_in_progress', status: 409 });
  });

  it("cancels the runtime's model request when the client closes the stream", async () => {
    const { openStream, fake, as } = await setupDeployed();
    fake.enqueue(fakeReply.text('one two three four five six', { stallAfterDeltas: 2 }));
    const socket = await openStream();

    socket.send({ query: 'Count' });
    await socket.until((event) => event.type === 'token');
    await socket.close();

    await eventually(() => expect(fake.lastRequest.wasAbortedByClient).toBe(true));
    await eventually(async () => expect((await jsonOf(await as('/usage?days=1'))).total_requests).toBe(1));
  });

  it('allows 5 open streams per org and refuses the sixth with stream_limit_reached, then close code 1013', async () => {
    const { as, openStream } = await setup();
    await as('/agents', post(aSupportBot));
    const open: AgentSocket[] = [];
    for (let index = 0; index < 5; index++) open.push(await openStream());

    const sixth = await openStream();

    expect(await sixth.next()).toMatchObject({ type: 'error', error: 'stream_limit_reached', status: 429 });
    expect(await sixth.closed).toBe(1013);
    for (const socket of open) {
      socket.send({ query: 'Hello' });
      expect(await socket.next()).toMatchObject({ error: 'agent_not_deployed' });
    }
  });

  it('gives a closed stream its slot back, and counts each org apart', async () => {
    const { api, as, openStream } = await setup();
    await as('/agents', post(aSupportBot));
    const other = await api.login();
    await api.request(`/orgs/${other.org}/agents`, { ...post(aSupportBot), token: other.token });
    const open: AgentSocket[] = [];
    for (let index = 0; index < 5; index++) open.push(await openStream());

    const otherOrgStream = await openStream({ org: other.org, token: other.token });
    await open[0]?.close();
    const replacement = await eventually(async () => {
      const socket = await openStream();
      socket.send({ query: 'Hello' });
      expect(await socket.next()).toMatchObject({ error: 'agent_not_deployed' });
      return socket;
    });

    otherOrgStream.send({ query: 'Hello' });
    expect(await otherOrgStream.next()).toMatchObject({ error: 'agent_not_deployed' });
    expect(replacement.socket.readyState).toBe(WebSocket.OPEN);
  });

  it('takes no slot for an upgrade whose client went away before it was answered', async () => {
    const { api, as, org, token, openStream } = await setup();
    await as('/agents', post(aSupportBot));
    const port = Number(new URL(api.url).port);

    for (let index = 0; index < 5; index++) {
      await abandonUpgradeRequest({ port, path: `/api/v1/orgs/${org}/agents/support-bot/stream?token=${token}` });
    }
    const streams = await Promise.all(Array.from({ length: 5 }, () => openStream()));

    for (const socket of streams) {
      socket.send({ query: 'Hello' });
      expect(await socket.next()).toMatchObject({ error: 'agent_not_deployed' });
    }
  });
});

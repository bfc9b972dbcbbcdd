import { describe, expect, it } from 'vitest';
import { fakeReply } from '../fakes/fake-reply.ts';
import { abandonUpgradeRequest } from '../support/abandon-upgrade-request.ts';
import { eventually } from '../support/eventually.ts';
import { jsonOf } from '../support/json-of.ts';
import { openAgentSocket, type StreamEvent } from '../support/open-agent-socket.ts';
import { agentYaml, startRuntimeOnFakeOpenAi, type TestRuntime } from '../support/start-test-runtime.ts';
import { websocketUpgradeAnswer } from '../support/websocket-upgrade-answer.ts';
import { useRuntimeTestKit } from './use-runtime-test-kit.ts';

const upgradeStatusOf = async (url: string, options?: { headers?: Record<string, string> }) =>
  (await websocketUpgradeAnswer(url, options)).status;

const assistant = (spec: Record<string, unknown> = {}) =>
  agentYaml('assistant', {
    identity: { description: 'General-purpose assistant' },
    model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } },
    tools: [{ name: 'calculator', type: 'builtin' }],
    ...spec,
  });

const tokensOf = (events: StreamEvent[]) => events.filter((event) => event.type === 'token');
const textOf = (events: StreamEvent[]) =>
  tokensOf(events)
    .map((event) => event.content)
    .join('');

describe('the astromeshd WebSocket stream', () => {
  const { cleanups } = useRuntimeTestKit();

  const setup = (options: { agents?: Record<string, string>; authToken?: string } = {}) =>
    startRuntimeOnFakeOpenAi(cleanups, { ...options, agents: options.agents ?? { 'assistant.yaml': assistant() } });

  async function connect(runtime: TestRuntime, options: { agent?: string; path?: string; token?: string } = {}) {
    const socket = await openAgentSocket(runtime.url, { agent: 'assistant', ...options });
    cleanups.push(() => socket.close());
    return socket;
  }

  const activeRunsOf = async (runtime: TestRuntime) =>
    (await jsonOf(await runtime.request('/v1/system/status'))).active_runs;

  it('streams a multi-delta answer as token events in order, then done with the whole response', async () => {
    const { runtime, openai } = await setup();
    openai.enqueue(
      fakeReply.text(['Quantum ', 'computing ', 'uses ', 'qubits.'], { usage: { inputTokens: 8, outputTokens: 4 } }),
    );
    const socket = await connect(runtime);

    socket.send({ query: 'Explain quantum computing' });
    const events = await socket.untilEnd();

    expect(events).toEqual([
      { type: 'token', content: 'Quantum ' },
      { type: 'token', content: 'computing ' },
      { type: 'token', content: 'uses ' },
      { type: 'token', content: 'qubits.' },
      {
        type: 'done',
        response: 'Quantum computing uses qubits.',
        session_id: expect.stringMatching(/^sess_[0-9a-f]{32}$/),
        usage: { input_tokens: 8, output_tokens: 4, total_tokens: 12 },
        timing: { total_ms: expect.any(Number), model_ms: expect.any(Number), tool_ms: 0 },
        model: 'openai/gpt-4o-mini',
        provider: 'openai',
        trace_id: expect.stringMatching(/^[0-9a-f]{32}$/),
        agent_version: null,
      },
    ]);
  });

  it('sends each token while the model is still writing the answer', async () => {
    const { runtime, openai } = await setup();
    openai.enqueue(fakeReply.text(['Once ', 'upon ', 'a time'], { stallAfterDeltas: 2 }));
    const socket = await connect(runtime);

    socket.send({ query: 'Tell me a story' });
    const first = await socket.next();
    const second = await socket.next();

    expect([first, second]).toEqual([
      { type: 'token', content: 'Once ' },
      { type: 'token', content: 'upon ' },
    ]);
    expect(openai.lastRequest.isComplete).toBe(false);
  });

  it('keeps the session id the client sends', async () => {
    const { runtime, openai } = await setup();
    openai.enqueue(fakeReply.text('Hi Ada.'));
    const socket = await connect(runtime);

    socket.send({ query: 'I am Ada', session_id: 'sess_abc123' });
    const events = await socket.untilEnd();

    expect(events.at(-1)).toMatchObject({ type: 'done', session_id: 'sess_abc123', response: 'Hi Ada.' });
  });

  it('reports tool_call and tool_result when the model calls a tool, before the answer tokens', async () => {
    const { runtime, openai } = await setup();
    openai.enqueue(fakeReply.toolCall('calculator', { expression: '6 * 7' }), fakeReply.text(['It is ', '42.']));
    const socket = await connect(runtime);

    socket.send({ query: 'What is 6 times 7?' });
    const events = await socket.untilEnd();

    expect(events).toEqual([
      { type: 'tool_call', id: expect.any(String), tool: 'calculator', input: { expression: '6 * 7' } },
      {
        type: 'tool_result',
        id: expect.any(String),
        tool: 'calculator',
        output: { expression: '6 * 7', result: 42 },
        success: true,
      },
      { type: 'token', content: 'It is ' },
      { type: 'token', content: '42.' },
      expect.objectContaining({
        type: 'done',
        response: 'It is 42.',
        timing: expect.objectContaining({ tool_ms: expect.any(Number) }),
      }),
    ]);
    expect(events[0]?.id).toBe(events[1]?.id);
  });

  it('answers a query for an unknown agent with an agent_not_found error event', async () => {
    const { runtime, openai } = await setup();
    const socket = await connect(runtime, { agent: 'nobody' });

    socket.send({ query: 'Hi' });
    const events = await socket.untilEnd();

    expect(events).toEqual([
      { type: 'error', error: 'agent_not_found', message: "agent 'nobody' is not loaded", status: 404 },
    ]);
    expect(openai.requestCount).toBe(0);
  });

  it('answers a message that is not JSON with invalid_request, and serves the next query', async () => {
    const { runtime } = await setup();
    const socket = await connect(runtime);

    socket.send('{"query": ');
    const invalid = await socket.untilEnd();
    socket.send({ query: 'Hi' });
    const next = await socket.untilEnd();

    expect(invalid).toEqual([
      {
        type: 'error',
        error: 'invalid_request',
        message: expect.stringMatching(/^message: not valid JSON/),
        status: 400,
      },
    ]);
    expect(next.at(-1)).toMatchObject({ type: 'done', response: 'Hello from the fake provider.' });
  });

  it('answers an empty query with invalid_request naming the field, and serves the next query', async () => {
    const { runtime } = await setup();
    const socket = await connect(runtime);

    socket.send({ query: '' });
    const invalid = await socket.untilEnd();
    socket.send({ query: 'Hi' });
    const next = await socket.untilEnd();

    expect(invalid).toEqual([
      { type: 'error', error: 'invalid_request', message: 'query: must not be empty', status: 400 },
    ]);
    expect(next.at(-1)).toMatchObject({ type: 'done', response: 'Hello from the fake provider.' });
  });

  it('sends providers_unavailable when every provider fails, and serves the next query', async () => {
    const { runtime, openai } = await setup();
    openai.enqueue(fakeReply.failure(500), fakeReply.failure(500));
    const socket = await connect(runtime);

    socket.send({ query: 'Hi' });
    const failed = await socket.untilEnd();
    socket.send({ query: 'Hi again' });
    const next = await socket.untilEnd();

    expect(failed).toEqual([
      {
        type: 'error',
        error: 'providers_unavailable',
        message: expect.stringContaining('openai/gpt-4o-mini'),
        status: 503,
        details: { candidates: [expect.objectContaining({ candidate: 'openai/gpt-4o-mini', status: 500 })] },
      },
    ]);
    expect(next.at(-1)).toMatchObject({ type: 'done', response: 'Hello from the fake provider.' });
  });

  it('refuses a second query while one is running with run_in_progress, and finishes the first', async () => {
    const { runtime, openai } = await setup();
    // The pause between frames keeps the first run going well after its first token.
    openai.enqueue(fakeReply.text(['first ', 'answer'], { chunkDelayMs: 300 }));
    const socket = await connect(runtime);

    socket.send({ query: 'first' });
    const firstToken = await socket.next();
    socket.send({ query: 'second' });
    const rest = await socket.until((event) => event.type === 'done');

    expect(firstToken).toEqual({ type: 'token', content: 'first ' });
    expect(rest.filter((event) => event.type === 'error')).toEqual([
      {
        type: 'error',
        error: 'run_in_progress',
        message: 'wait for done before sending the next query',
        status: 409,
      },
    ]);
    expect(rest.at(-1)).toMatchObject({ type: 'done', response: 'first answer' });
    expect(openai.requestCount).toBe(1);
  });

  it('serves one query after another on the same socket', async () => {
    const { runtime, openai } = await setup();
    openai.enqueue(fakeReply.text('Nice to meet you, Ada.'), fakeReply.text('Your name is Ada.'));
    const socket = await connect(runtime);

    socket.send({ query: 'I am Ada', session_id: 'sess-1' });
    const first = await socket.untilEnd();
    socket.send({ query: 'Who am I?', session_id: 'sess-1' });
    const second = await socket.untilEnd();

    expect(first.at(-1)).toMatchObject({ type: 'done', response: 'Nice to meet you, Ada.' });
    expect(second.at(-1)).toMatchObject({ type: 'done', response: 'Your name is Ada.' });
    expect(openai.lastRequest.body.messages).toContainEqual({ role: 'user', content: 'I am Ada' });
  });

  it('redacts an email the model splits across deltas before any token leaves', async () => {
    const { runtime, openai } = await setup({
      agents: { 'a.yaml': assistant({ guardrails: { output: [{ type: 'pii_detection', action: 'redact' }] } }) },
    });
    openai.enqueue(fakeReply.text(['Mail ada@exa', 'mple.com now']));
    const socket = await connect(runtime);

    socket.send({ query: 'Who do I write to?' });
    const events = await socket.untilEnd();

    expect(textOf(events)).toBe('Mail [REDACTED_EMAIL] now');
    expect(events.at(-1)).toMatchObject({ type: 'done', response: 'Mail [REDACTED_EMAIL] now' });
    expect(JSON.stringify(tokensOf(events))).not.toMatch(/ada|exa|mple/);
  });

  it('redacts a card number the model splits across deltas before any token leaves', async () => {
    const { runtime, openai } = await setup({
      agents: { 'a.yaml': assistant({ guardrails: { output: [{ type: 'pii_detection', action: 'redact' }] } }) },
    });
    openai.enqueue(fakeReply.text(['Card 4111 11', '11 1111 1111 ', 'is on file.']));
    const socket = await connect(runtime);

    socket.send({ query: 'Which card do I use?' });
    const events = await socket.untilEnd();

    expect(textOf(events)).toBe('Card [REDACTED_CC] is on file.');
    expect(events.at(-1)).toMatchObject({ type: 'done', response: 'Card [REDACTED_CC] is on file.' });
    expect(JSON.stringify(tokensOf(events))).not.toMatch(/4111|1111/);
  });

  it('sends guardrail_blocked naming the rule when an input topic is blocked, without calling the model', async () => {
    const { runtime, openai } = await setup({
      agents: {
        'a.yaml': assistant({
          guardrails: { input: [{ type: 'topic_filter', blocked_topics: ['weapons'], action: 'block' }] },
        }),
      },
    });
    const socket = await connect(runtime);

    socket.send({ query: 'Tell me about weapons' });
    const events = await socket.untilEnd();

    expect(events).toEqual([
      expect.objectContaining({
        type: 'error',
        error: 'guardrail_blocked',
        status: 400,
        details: { rule: 'topic_filter' },
      }),
    ]);
    expect(openai.requestCount).toBe(0);
  });

  it('truncates at the output cost limit and stops the model request', async () => {
    const { runtime, openai } = await setup({
      agents: {
        'a.yaml': assistant({
          // Should the runtime not stop the stalled request, the run fails after 5 s instead of
          // hanging, so this test reports an error event rather than a test timeout.
          model: { primary: { provider: 'openai', model: 'gpt-4o-mini', timeout: 5 } },
          guardrails: { output: [{ type: 'cost_limit', max_tokens_per_turn: 3 }] },
        }),
      },
    });
    // The fake stalls after its last delta: the run ends at once only if the runtime stops the request.
    openai.enqueue(fakeReply.text(['One ', 'two ', 'three ', 'four ', 'five'], { stallAfterDeltas: 5 }));
    const socket = await connect(runtime);

    socket.send({ query: 'Count to five' });
    const events = await socket.untilEnd();

    expect(textOf(events)).toBe('One two... [truncated]');
    expect(events.at(-1)).toMatchObject({ type: 'done', response: 'One two... [truncated]' });
    await eventually(() => expect(openai.lastRequest.wasAbortedByClient).toBe(true));
  });

  it('cancels the run and its model request when the client disconnects mid-stream', async () => {
    const { runtime, openai } = await setup();
    openai.enqueue(fakeReply.text(['Once ', 'upon ', 'a time'], { stallAfterDeltas: 1 }));
    const socket = await connect(runtime);
    socket.send({ query: 'Tell me a story' });
    await socket.next();
    const activeWhileStreaming = await activeRunsOf(runtime);

    await socket.close();

    expect(activeWhileStreaming).toBe(1);
    await eventually(() => expect(openai.lastRequest.wasAbortedByClient).toBe(true));
    await eventually(async () => expect(await activeRunsOf(runtime)).toBe(0));
  });

  it('refuses the upgrade without a valid token when one is configured', async () => {
    const { runtime } = await setup({ authToken: 'a-long-runtime-token-1234' });
    const url = `${runtime.url.replace(/^http/, 'ws')}/v1/ws/agent/assistant`;

    const anonymous = await upgradeStatusOf(url);
    const wrongHeader = await upgradeStatusOf(url, { headers: { authorization: 'Bearer wrong-token' } });
    const wrongQuery = await upgradeStatusOf(`${url}?token=wrong-token`);

    expect([anonymous, wrongHeader, wrongQuery]).toEqual([401, 401, 401]);
  });

  it('accepts the token as an Authorization header or as ?token=', async () => {
    const { runtime, openai } = await setup({ authToken: 'a-long-runtime-token-1234' });
    openai.setDefaultReply(fakeReply.text('Hello.'));
    const byHeader = await connect(runtime, { token: 'a-long-runtime-token-1234' });
    const byQuery = await connect(runtime, { path: '/v1/ws/agent/assistant?token=a-long-runtime-token-1234' });

    byHeader.send({ query: 'Hi' });
    const viaHeader = await byHeader.untilEnd();
    byQuery.send({ query: 'Hi' });
    const viaQuery = await byQuery.untilEnd();

    expect(viaHeader.at(-1)).toMatchObject({ type: 'done', response: 'Hello.' });
    expect(viaQuery.at(-1)).toMatchObject({ type: 'done', response: 'Hello.' });
  });

  it('refuses an upgrade on a path that is not an agent stream with 404', async () => {
    const { runtime } = await setup();
    const base = runtime.url.replace(/^http/, 'ws');

    const statuses = await Promise.all([
      upgradeStatusOf(`${base}/v1/ws/nothing`),
      upgradeStatusOf(`${base}/v1/ws/agent/assistant/extra`),
      upgradeStatusOf(`${base}/v1/agents/assistant/run`),
    ]);

    expect(statuses).toEqual([404, 404, 404]);
  });

  it('closes a socket whose message exceeds 1 MiB with 1009, and keeps serving other sockets', async () => {
    const { runtime } = await setup();
    const oversized = await connect(runtime);
    const other = await connect(runtime);

    oversized.send({ query: 'x'.repeat(1024 * 1024) });
    const closeCode = await oversized.closed;
    other.send({ query: 'Hi' });
    const events = await other.untilEnd();

    expect(closeCode).toBe(1009);
    expect(events.at(-1)).toMatchObject({ type: 'done', response: 'Hello from the fake provider.' });
  });

  it('survives clients that reset the connection while their upgrade is being refused', async () => {
    const { runtime } = await setup({ authToken: 'a-long-runtime-token-1234' });

    for (const path of ['/v1/ws/nothing', '/v1/ws/agent/assistant', '/v1/ws/nothing', '/v1/ws/agent/assistant']) {
      await abandonUpgradeRequest({ port: runtime.port, path });
    }
    const socket = await connect(runtime, { token: 'a-long-runtime-token-1234' });
    socket.send({ query: 'Hi' });
    const events = await socket.untilEnd();

    expect(events.at(-1)).toMatchObject({ type: 'done', response: 'Hello from the fake provider.' });
  });
});

import { describe, expect, it } from 'vitest';
import { fakeReply } from '../fakes/fake-reply.ts';
import { jsonOf } from '../support/json-of.ts';
import { agentYaml, startRuntimeOnFakeOpenAi, type TestRuntime } from '../support/start-test-runtime.ts';
import { useRuntimeTestKit } from './use-runtime-test-kit.ts';

const assistant = (spec: Record<string, unknown> = {}) =>
  agentYaml('assistant', {
    identity: { description: 'General-purpose assistant' },
    model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } },
    prompts: { system: 'You are helpful to {{ user_name | default: "everyone" }}.' },
    tools: [{ name: 'calculator', type: 'builtin' }],
    ...spec,
  });

describe('the astromeshd HTTP API', () => {
  const { cleanups } = useRuntimeTestKit();

  const setup = (options: { agents?: Record<string, string>; authToken?: string } = {}) =>
    startRuntimeOnFakeOpenAi(cleanups, { ...options, agents: options.agents ?? { 'assistant.yaml': assistant() } });

  const run = (runtime: TestRuntime, agent: string, body: unknown) =>
    runtime.request(`/v1/agents/${agent}/run`, { method: 'POST', body: JSON.stringify(body) });

  it('answers /v1/health with status, version and uptime', async () => {
    const { runtime } = await setup();

    const body = await jsonOf(await runtime.request('/v1/health'));

    expect(body).toEqual({ status: 'healthy', version: expect.any(String), uptime_seconds: expect.any(Number) });
  });

  it('lists loaded agents with model and orchestration', async () => {
    const { runtime } = await setup();

    const body = await jsonOf(await runtime.request('/v1/agents'));

    expect(body.agents).toEqual([
      expect.objectContaining({
        name: 'assistant',
        description: 'General-purpose assistant',
        model: 'openai/gpt-4o-mini',
        orchestration: 'react',
        status: 'ready',
      }),
    ]);
  });

  it('describes one agent, and answers 404 for an agent that is not loaded', async () => {
    const { runtime } = await setup();

    const found = await jsonOf(await runtime.request('/v1/agents/assistant'));
    const missing = await runtime.request('/v1/agents/nobody');

    expect(found).toMatchObject({
      name: 'assistant',
      tools: ['calculator'],
      orchestration: { pattern: 'react', max_iterations: 10 },
    });
    expect(missing.status).toBe(404);
    expect(await jsonOf(missing)).toMatchObject({ error: 'agent_not_found', status: 404 });
  });

  it('runs an agent: answer, generated session id, usage, timing, model, provider and trace id', async () => {
    const { runtime, openai } = await setup();
    openai.enqueue(fakeReply.text('Hello there!', { usage: { inputTokens: 12, outputTokens: 3 } }));

    const response = await run(runtime, 'assistant', { query: 'Hi', context: { user_name: 'Ada' } });
    const body = await jsonOf(response);

    expect(response.status).toBe(200);
    expect(body).toEqual({
      response: 'Hello there!',
      session_id: expect.stringMatching(/^sess_[0-9a-f]{32}$/),
      tool_calls: [],
      usage: { input_tokens: 12, output_tokens: 3, total_tokens: 15 },
      timing: { total_ms: expect.any(Number), model_ms: expect.any(Number), tool_ms: 0 },
      model: 'openai/gpt-4o-mini',
      provider: 'openai',
      trace_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      agent_version: null,
    });
    expect(openai.lastRequest.body.messages).toEqual([
      { role: 'system', content: 'You are helpful to Ada.' },
      { role: 'user', content: 'Hi' },
    ]);
  });

  it('runs the tools the model asks for and reports them', async () => {
    const { runtime, openai } = await setup();
    openai.enqueue(fakeReply.toolCall('calculator', { expression: '6 * 7' }), fakeReply.text('It is 42.'));

    const body = await jsonOf(await run(runtime, 'assistant', { query: 'What is 6 times 7?' }));

    expect(body.response).toBe('It is 42.');
    expect(body.tool_calls).toEqual([
      { tool: 'calculator', input: { expression: '6 * 7' }, output: expect.anything(), success: true },
    ]);
    expect(JSON.stringify(openai.lastRequest.body.messages)).toContain('42');
  });

  it('remembers a session and serves its history, then clears it', async () => {
    const { runtime, openai } = await setup();
    openai.enqueue(fakeReply.text('Nice to meet you, Ada.'), fakeReply.text('Your name is Ada.'));
    await run(runtime, 'assistant', { query: 'I am Ada', session_id: 'sess-1' });
    await run(runtime, 'assistant', { query: 'Who am I?', session_id: 'sess-1' });

    const history = await jsonOf(await runtime.request('/v1/memory/assistant/history/sess-1'));
    const cleared = await jsonOf(await runtime.request('/v1/memory/assistant/history/sess-1', { method: 'DELETE' }));
    const after = await jsonOf(await runtime.request('/v1/memory/assistant/history/sess-1'));

    expect(openai.lastRequest.body.messages).toContainEqual({ role: 'user', content: 'I am Ada' });
    expect(history.messages).toEqual([
      { role: 'user', content: 'I am Ada' },
      { role: 'assistant', content: 'Nice to meet you, Ada.' },
      { role: 'user', content: 'Who am I?' },
      { role: 'assistant', content: 'Your name is Ada.' },
    ]);
    expect(cleared).toEqual({ status: 'cleared', agent: 'assistant', session_id: 'sess-1' });
    expect(after.messages).toEqual([]);
  });

  it('answers 400 naming the field for a bad run request', async () => {
    const { runtime } = await setup();

    const response = await run(runtime, 'assistant', { query: '' });

    expect(response.status).toBe(400);
    expect(await jsonOf(response)).toEqual({
      error: 'invalid_request',
      message: 'query: must not be empty',
      status: 400,
    });
  });

  it('answers 400 for a body that is not JSON', async () => {
    const { runtime } = await setup();

    const response = await runtime.request('/v1/agents/assistant/run', { method: 'POST', body: '{"query": ' });

    expect(response.status).toBe(400);
    expect(await jsonOf(response)).toMatchObject({ error: 'invalid_request', status: 400 });
  });

  it('answers 503 providers_unavailable naming each candidate when every provider fails', async () => {
    const { runtime, openai } = await setup();
    openai.setDefaultReply(fakeReply.failure(500));

    const response = await run(runtime, 'assistant', { query: 'Hi' });

    expect(response.status).toBe(503);
    expect(await jsonOf(response)).toMatchObject({
      error: 'providers_unavailable',
      status: 503,
      details: { candidates: [expect.objectContaining({ candidate: 'openai/gpt-4o-mini', status: 500 })] },
    });
  });

  it('answers 408 when the orchestration outlives timeout_seconds', async () => {
    const { runtime, openai } = await setup({
      agents: { 'slow.yaml': assistant({ orchestration: { pattern: 'react', timeout_seconds: 1 } }) },
    });
    openai.setDefaultReply(fakeReply.text('too late', { delayMs: 3_000 }));

    const response = await run(runtime, 'assistant', { query: 'Hi' });

    expect(response.status).toBe(408);
    expect(await jsonOf(response)).toMatchObject({ error: 'orchestration_timeout', status: 408 });
  });

  it('answers 400 guardrail_blocked naming the rule when an input topic is blocked', async () => {
    const { runtime, openai } = await setup({
      agents: {
        'a.yaml': assistant({
          guardrails: { input: [{ type: 'topic_filter', blocked_topics: ['weapons'], action: 'block' }] },
        }),
      },
    });

    const response = await run(runtime, 'assistant', { query: 'Tell me about weapons' });

    expect(response.status).toBe(400);
    expect(await jsonOf(response)).toMatchObject({ error: 'guardrail_blocked', details: { rule: 'topic_filter' } });
    expect(openai.requestCount).toBe(0);
  });

  it('redacts PII before the model sees it and in what it answers', async () => {
    const { runtime, openai } = await setup({
      agents: {
        'a.yaml': assistant({
          guardrails: {
            input: [{ type: 'pii_detection', action: 'redact' }],
            output: [{ type: 'pii_detection', action: 'redact' }],
          },
        }),
      },
    });
    openai.enqueue(fakeReply.text('Write to boss@example.com for help.'));

    const body = await jsonOf(await run(runtime, 'assistant', { query: 'My email is ada@example.com' }));

    expect(JSON.stringify(openai.lastRequest.body.messages)).not.toContain('ada@example.com');
    expect(JSON.stringify(openai.lastRequest.body.messages)).toContain('[REDACTED_EMAIL]');
    expect(body.response).toBe('Write to [REDACTED_EMAIL] for help.');
  });

  it('lists the built-in tools with their parameter schemas', async () => {
    const { runtime } = await setup();

    const body = await jsonOf(await runtime.request('/v1/tools/builtin'));

    expect(body.count).toBe(body.tools.length);
    expect(body.tools.map((tool: { name: string }) => tool.name)).toEqual(
      expect.arrayContaining(['calculator', 'datetime_now', 'http_request', 'web_search', 'sql_query', 'rag_query']),
    );
    expect(body.tools.find((tool: { name: string }) => tool.name === 'calculator').parameters).toMatchObject({
      type: 'object',
      properties: { expression: expect.any(Object) },
    });
  });

  it('lists the tools agents use, with the agents using them', async () => {
    const { runtime } = await setup();

    const body = await jsonOf(await runtime.request('/v1/tools'));

    expect(body.tools).toEqual([
      expect.objectContaining({ name: 'calculator', type: 'builtin', agents: ['assistant'] }),
    ]);
  });

  it('executes a tool directly, and refuses an SSRF target with 403', async () => {
    const { runtime } = await setup();

    const ok = await runtime.request('/v1/tools/execute', {
      method: 'POST',
      body: JSON.stringify({ tool: 'calculator', input: { expression: '2 ^ 10' } }),
    });
    const refused = await runtime.request('/v1/tools/execute', {
      method: 'POST',
      body: JSON.stringify({
        tool: 'http_request',
        input: { method: 'GET', url: 'http://169.254.169.254/latest/meta-data' },
      }),
    });

    expect(await jsonOf(ok)).toMatchObject({ tool: 'calculator', timing_ms: expect.any(Number) });
    expect(refused.status).toBe(403);
    expect(await jsonOf(refused)).toMatchObject({ error: 'tool_refused', status: 403 });
  });

  it('keeps a trace of each run with its spans, listed newest first and fetched by id', async () => {
    const { runtime, openai } = await setup();
    openai.enqueue(fakeReply.text('traced'));
    const { trace_id: traceId } = await jsonOf(await run(runtime, 'assistant', { query: 'Hi' }));

    const list = await jsonOf(await runtime.request('/v1/traces?agent=assistant&limit=5'));
    const one = await jsonOf(await runtime.request(`/v1/traces/${traceId}`));
    const missing = await runtime.request('/v1/traces/0123456789abcdef0123456789abcdef');

    expect(list.traces[0].trace_id).toBe(traceId);
    expect(one.spans.map((span: { name: string }) => span.name)).toEqual(
      expect.arrayContaining([
        'agent.run',
        'guardrails.input',
        'memory.recall',
        'llm.complete',
        'orchestration',
        'memory.persist',
      ]),
    );
    expect(one.spans.find((span: { name: string }) => span.name === 'llm.complete').attributes).toMatchObject({
      model: 'openai/gpt-4o-mini',
    });
    expect(missing.status).toBe(404);
  });

  it('counts runs and measures latency in /v1/metrics, and resets them', async () => {
    const { runtime, openai } = await setup();
    openai.setDefaultReply(fakeReply.text('ok'));
    await run(runtime, 'assistant', { query: 'one' });
    await run(runtime, 'assistant', { query: 'two' });

    const metrics = await jsonOf(await runtime.request('/v1/metrics'));
    const reset = await jsonOf(await runtime.request('/v1/metrics/reset', { method: 'POST' }));
    const after = await jsonOf(await runtime.request('/v1/metrics'));

    expect(metrics.counters).toMatchObject({ 'agent.runs': 2, 'llm.calls': 2 });
    expect(metrics.histograms['agent.latency_ms']).toMatchObject({
      count: 2,
      min: expect.any(Number),
      max: expect.any(Number),
    });
    expect(reset).toEqual({ status: 'reset' });
    expect(after).toEqual({ counters: {}, histograms: {} });
  });

  it('requires the token on every /v1 call but /v1/health when one is configured', async () => {
    const { runtime } = await setup({ authToken: 'a-long-runtime-token-1234' });

    const health = await fetch(`${runtime.url}/v1/health`);
    const anonymous = await fetch(`${runtime.url}/v1/agents`);
    const wrong = await fetch(`${runtime.url}/v1/agents`, { headers: { authorization: 'Bearer wrong-token' } });
    const right = await runtime.request('/v1/agents');

    expect([health.status, anonymous.status, wrong.status, right.status]).toEqual([200, 401, 401, 200]);
    expect(await jsonOf(anonymous)).toEqual({
      error: 'unauthorized',
      message: 'a valid bearer token is required',
      status: 401,
    });
  });

  it('reloads agents on POST /v1/system/reload without waiting for file events', async () => {
    const { runtime } = await setup();
    runtime.writeAgent('second.yaml', assistant().replace('name: assistant', 'name: second'));

    const body = await jsonOf(await runtime.request('/v1/system/reload', { method: 'POST' }));

    expect(body.agents).toEqual([
      { name: 'assistant', status: 'ready' },
      { name: 'second', status: 'ready' },
    ]);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const { runtime } = await setup();

    const response = await runtime.request('/v1/nothing-here');

    expect(response.status).toBe(404);
    expect(await jsonOf(response)).toMatchObject({ error: 'not_found', status: 404 });
  });
});

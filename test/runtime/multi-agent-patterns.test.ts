import { describe, expect, it } from 'vitest';
import type { FakeProvider, RecordedRequest } from '../fakes/fake-provider.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { eventually } from '../support/eventually.ts';
import { jsonOf } from '../support/json-of.ts';
import { openAgentSocket } from '../support/open-agent-socket.ts';
import { agentYaml, type TestRuntime } from '../support/start-test-runtime.ts';
import { streamAgentRun } from './stream-agent-run.ts';
import { useRuntimeTestKit } from './use-runtime-test-kit.ts';

// Every agent talks to a fake of its own, so what each fake received shows which agent ran,
// with which query, offered which tools.

const messagesOf = (request: RecordedRequest) => request.body.messages as { role: string; content: unknown }[];
const toolNamesOf = (request: RecordedRequest) =>
  ((request.body.tools ?? []) as { function: { name: string } }[]).map((tool) => tool.function.name);
const lastUserMessageOf = (request: RecordedRequest) =>
  messagesOf(request)
    .filter((message) => message.role === 'user')
    .at(-1)?.content;

describe('supervisor, swarm, agent tools and client tools, run through astromeshd', () => {
  const { fakes, runtime: runtimeWith } = useRuntimeTestKit();

  function agent(
    name: string,
    fake: FakeProvider,
    options: { orchestration?: Record<string, unknown>; tools?: Record<string, unknown>[] } = {},
  ): string {
    return agentYaml(name, {
      model: { primary: { provider: 'openai', model: `${name}-model`, endpoint: fake.baseUrl } },
      prompts: { system: `You are ${name}.` },
      ...(options.orchestration ? { orchestration: options.orchestration } : {}),
      ...(options.tools ? { tools: options.tools } : {}),
    });
  }

  const run = async (runtime: TestRuntime, name: string, query: string, extra: Record<string, unknown> = {}) =>
    runtime.request(`/v1/agents/${name}/run`, { method: 'POST', body: JSON.stringify({ query, ...extra }) });

  const streamRun = (runtime: TestRuntime, name: string, query: string) => streamAgentRun(runtime.url, name, { query });

  const statusOf = async (runtime: TestRuntime, name: string) =>
    (
      (await jsonOf(await runtime.request('/v1/agents'))).agents as { name: string; status: string; error?: string }[]
    ).find((entry) => entry.name === name);

  describe('supervisor', () => {
    const team = (f: Record<'boss' | 'researcher' | 'writer', FakeProvider>, maxIterations = 5) => ({
      'boss.yaml': agent('boss', f.boss, {
        orchestration: { pattern: 'supervisor', max_iterations: maxIterations },
        tools: [
          { name: 'calculator', type: 'builtin' },
          { name: 'research', type: 'agent', agent: 'researcher', description: 'Finds facts' },
          { name: 'write', type: 'agent', agent: 'writer' },
        ],
      }),
      'researcher.yaml': agent('researcher', f.researcher),
      'writer.yaml': agent('writer', f.writer),
    });

    it('delegates each sub-task to a worker agent, reads their answers and writes the reply, streamed with tool events', async () => {
      const f = await fakes('boss', 'researcher', 'writer');
      f.boss.enqueue(
        fakeReply.toolCall('research', { query: 'When was the Eiffel Tower built?' }, { id: 'c1' }),
        fakeReply.toolCall('write', { query: 'One line: built 1887-1889' }, { id: 'c2' }),
        fakeReply.text('The Eiffel Tower went up from 1887 to 1889.'),
      );
      f.researcher.enqueue(fakeReply.text('Built 1887-1889.'));
      f.writer.enqueue(fakeReply.text('Raised between 1887 and 1889.'));
      const runtime = await runtimeWith(team(f));

      const { events, text, final } = await streamRun(runtime, 'boss', 'Tell me about the Eiffel Tower');

      expect(events.filter((event) => event.type !== 'token')).toEqual([
        { type: 'tool_call', id: 'c1', tool: 'research', input: { query: 'When was the Eiffel Tower built?' } },
        { type: 'tool_result', id: 'c1', tool: 'research', output: { answer: 'Built 1887-1889.' }, success: true },
        { type: 'tool_call', id: 'c2', tool: 'write', input: { query: 'One line: built 1887-1889' } },
        {
          type: 'tool_result',
          id: 'c2',
          tool: 'write',
          output: { answer: 'Raised between 1887 and 1889.' },
          success: true,
        },
        expect.objectContaining({ type: 'done', response: 'The Eiffel Tower went up from 1887 to 1889.' }),
      ]);
      expect(text).toBe(final.response);
      // The supervisor is offered its workers only; each worker got its sub-task as its query.
      expect(f.boss.requests.map(toolNamesOf)).toEqual([
        ['research', 'write'],
        ['research', 'write'],
        ['research', 'write'],
      ]);
      expect(lastUserMessageOf(f.researcher.lastRequest)).toBe('When was the Eiffel Tower built?');
      expect(lastUserMessageOf(f.writer.lastRequest)).toBe('One line: built 1887-1889');
      expect(messagesOf(f.boss.lastRequest).filter((message) => message.role === 'tool')).toHaveLength(2);
    });

    it('refuses a call to a tool that is not a worker, and tells the model so', async () => {
      const f = await fakes('boss', 'researcher', 'writer');
      f.boss.enqueue(fakeReply.toolCall('calculator', { expression: '2 + 2' }), fakeReply.text('I can only delegate.'));
      const runtime = await runtimeWith(team(f));

      const body = await jsonOf(await run(runtime, 'boss', 'What is 2 + 2?'));

      expect(body.response).toBe('I can only delegate.');
      expect(body.tool_calls).toEqual([]);
      const toolMessage = messagesOf(f.boss.lastRequest).find((message) => message.role === 'tool');
      expect(toolMessage?.content).toContain("not one of this supervisor's workers");
      expect(f.researcher.requestCount + f.writer.requestCount).toBe(0);
    });

    it('stops delegating after max_iterations and answers with what the workers gave', async () => {
      const f = await fakes('boss', 'researcher', 'writer');
      f.boss.enqueue(
        fakeReply.toolCall('research', { query: 'first' }),
        fakeReply.toolCall('research', { query: 'second' }),
        fakeReply.text('Here is what I found.'),
      );
      f.researcher.enqueue(fakeReply.text('fact one'), fakeReply.text('fact two'));
      const runtime = await runtimeWith(team(f, 2));

      const body = await jsonOf(await run(runtime, 'boss', 'Research this'));

      expect(body.response).toBe('Here is what I found.');
      expect(f.researcher.requestCount).toBe(2);
      expect(f.boss.requests.map((request) => 'tools' in request.body)).toEqual([true, true, false]);
    });

    it('answers 408 at timeout_seconds while a worker still waits for its model, and cancels that model request', async () => {
      const f = await fakes('boss', 'researcher', 'writer');
      f.boss.enqueue(fakeReply.toolCall('research', { query: 'slow question' }));
      f.researcher.enqueue(fakeReply.hang());
      const agents = team(f);
      agents['boss.yaml'] = agent('boss', f.boss, {
        orchestration: { pattern: 'supervisor', timeout_seconds: 1 },
        tools: [{ name: 'research', type: 'agent', agent: 'researcher' }],
      });
      const runtime = await runtimeWith(agents);

      const response = await run(runtime, 'boss', 'Take your time');

      expect(response.status).toBe(408);
      expect(await jsonOf(response)).toMatchObject({ error: 'orchestration_timeout', status: 408 });
      await eventually(() => expect(f.researcher.lastRequest.wasAbortedByClient).toBe(true));
    });

    it("cancels the worker's model request when the WebSocket client goes away", async () => {
      const f = await fakes('boss', 'researcher', 'writer');
      f.boss.enqueue(fakeReply.toolCall('research', { query: 'slow question' }));
      f.researcher.enqueue(fakeReply.hang());
      const runtime = await runtimeWith(team(f));
      const socket = await openAgentSocket(runtime.url, { agent: 'boss' });
      socket.send({ query: 'Take your time' });
      expect(await socket.next()).toMatchObject({ type: 'tool_call', tool: 'research' });
      await eventually(() => expect(f.researcher.requestCount).toBe(1));

      await socket.close();

      await eventually(() => expect(f.researcher.lastRequest.wasAbortedByClient).toBe(true));
      await eventually(async () =>
        expect((await jsonOf(await runtime.request('/v1/system/status'))).active_runs).toBe(0),
      );
    });
  });

  describe('swarm', () => {
    it("hands off to another agent, whose answer is the run's answer; the stream and the trace show the hand-off", async () => {
      const f = await fakes('triage', 'billing');
      f.triage.enqueue(
        fakeReply.toolCalls([{ id: 'h1', name: 'to_billing', input: { query: 'Refund invoice 42' } }], {
          text: 'Passing you to billing.',
        }),
      );
      f.billing.enqueue(fakeReply.text('Invoice 42 is refunded.'));
      const runtime = await runtimeWith({
        'triage.yaml': agent('triage', f.triage, {
          orchestration: { pattern: 'swarm' },
          tools: [{ name: 'to_billing', type: 'agent', agent: 'billing', description: 'Billing questions' }],
        }),
        'billing.yaml': agent('billing', f.billing),
      });

      const { events, text, final } = await streamRun(runtime, 'triage', 'I want my money back for invoice 42');

      expect(events.filter((event) => event.type === 'tool_call' || event.type === 'tool_result')).toEqual([
        {
          type: 'tool_call',
          id: 'h1',
          tool: 'to_billing',
          input: expect.objectContaining({ query: expect.any(String) }),
        },
        {
          type: 'tool_result',
          id: 'h1',
          tool: 'to_billing',
          output: { answer: 'Invoice 42 is refunded.' },
          success: true,
        },
      ]);
      expect(final.response).toBe('Passing you to billing.\n\nInvoice 42 is refunded.');
      expect(text).toBe(final.response);
      // Control does not come back: triage's model is not asked again.
      expect(f.triage.requestCount).toBe(1);
      // Billing gets the conversation and the request; it remembers only the request.
      expect(lastUserMessageOf(f.billing.lastRequest)).toBe(
        'user: I want my money back for invoice 42\n\nRequest: Refund invoice 42',
      );
      const history = await jsonOf(
        await runtime.request(`/v1/memory/billing/history/${encodeURIComponent(`${final.session_id}::billing`)}`),
      );
      expect(history.messages).toEqual([
        { role: 'user', content: 'Refund invoice 42' },
        { role: 'assistant', content: 'Invoice 42 is refunded.' },
      ]);
      const trace = await jsonOf(await runtime.request(`/v1/traces/${final.trace_id}`));
      expect(trace.spans).toContainEqual(
        expect.objectContaining({
          name: 'tool.call',
          attributes: { tool: 'to_billing', handoff: true, success: true },
        }),
      );
    });

    it('offers no more hand-offs once the chain made max_handoffs, so the last agent answers itself', async () => {
      const f = await fakes('first', 'second', 'third');
      f.first.enqueue(fakeReply.toolCall('to_second', { query: 'over to you' }));
      f.second.enqueue(fakeReply.toolCall('to_third', { query: 'and to you' }), fakeReply.text('Second answers.'));
      const runtime = await runtimeWith({
        'first.yaml': agent('first', f.first, {
          orchestration: { pattern: 'swarm', max_handoffs: 1 },
          tools: [{ name: 'to_second', type: 'agent', agent: 'second' }],
        }),
        'second.yaml': agent('second', f.second, {
          orchestration: { pattern: 'swarm', max_handoffs: 1 },
          tools: [
            { name: 'to_third', type: 'agent', agent: 'third' },
            { name: 'calculator', type: 'builtin' },
          ],
        }),
        'third.yaml': agent('third', f.third),
      });

      const body = await jsonOf(await run(runtime, 'first', 'Hello'));

      expect(body.response).toBe('Second answers.');
      expect(toolNamesOf(f.second.requests[0] as RecordedRequest)).toEqual(['calculator']);
      expect(messagesOf(f.second.lastRequest).find((message) => message.role === 'tool')?.content).toContain(
        'made its 1 hand-offs',
      );
      expect(f.third.requestCount).toBe(0);
    });

    it('stops at max_iterations when the model never hands off nor answers', async () => {
      const f = await fakes('triage', 'billing');
      f.triage.enqueue(
        fakeReply.toolCall('calculator', { expression: '1 + 1' }),
        fakeReply.toolCall('calculator', { expression: '2 + 2' }),
        fakeReply.text('Done counting.'),
      );
      const runtime = await runtimeWith({
        'triage.yaml': agent('triage', f.triage, {
          orchestration: { pattern: 'swarm', max_iterations: 2 },
          tools: [
            { name: 'calculator', type: 'builtin' },
            { name: 'to_billing', type: 'agent', agent: 'billing' },
          ],
        }),
        'billing.yaml': agent('billing', f.billing),
      });

      const body = await jsonOf(await run(runtime, 'triage', 'Count'));

      expect(body.response).toBe('Done counting.');
      expect(f.triage.requests.map((request) => 'tools' in request.body)).toEqual([true, true, false]);
      expect(f.billing.requestCount).toBe(0);
    });
  });

  describe('tools of type agent and client', () => {
    it('runs another agent as a react tool: its answer is the result, its memory a session of its own', async () => {
      const f = await fakes('main', 'helper');
      f.main.enqueue(
        fakeReply.toolCall('ask_helper', { query: 'What is the capital of France?' }),
        fakeReply.text('Paris.'),
      );
      f.helper.enqueue(fakeReply.text('The capital is Paris.'));
      const runtime = await runtimeWith({
        'main.yaml': agent('main', f.main, { tools: [{ name: 'ask_helper', type: 'agent', agent: 'helper' }] }),
        'helper.yaml': agent('helper', f.helper),
      });

      const body = await jsonOf(await run(runtime, 'main', 'Capital of France?', { session_id: 's1' }));

      expect(body.response).toBe('Paris.');
      expect(body.tool_calls).toEqual([
        {
          tool: 'ask_helper',
          input: { query: 'What is the capital of France?' },
          output: { answer: 'The capital is Paris.' },
          success: true,
        },
      ]);
      expect((f.main.requests[0] as RecordedRequest).body.tools).toEqual([
        expect.objectContaining({
          function: expect.objectContaining({
            name: 'ask_helper',
            description: "Invoke agent 'helper'",
            parameters: expect.objectContaining({ required: ['query'] }),
          }),
        }),
      ]);
      const helperHistory = await jsonOf(await runtime.request('/v1/memory/helper/history/s1::helper'));
      expect(helperHistory.messages.map((message: { content: string }) => message.content)).toEqual([
        'What is the capital of France?',
        'The capital is Paris.',
      ]);
    });

    it('announces a client tool to the caller, over the WebSocket and over HTTP, without running it; the model reads {ok: true}', async () => {
      const f = await fakes('shop');
      f.shop.enqueue(
        fakeReply.toolCall('show_card', { title: 'Blue shoes' }, { id: 'k1' }),
        fakeReply.text('I showed you the card.'),
        fakeReply.toolCall('show_card', { title: 'Red shoes' }),
        fakeReply.text('Here they are.'),
      );
      const runtime = await runtimeWith({
        'shop.yaml': agent('shop', f.shop, {
          tools: [
            {
              name: 'show_card',
              type: 'client',
              description: 'Shows a product card',
              parameters: { title: { type: 'string' } },
            },
          ],
        }),
      });

      const { events, final } = await streamRun(runtime, 'shop', 'Show me blue shoes');
      const body = await jsonOf(await run(runtime, 'shop', 'Now red ones'));

      expect(events.filter((event) => event.type === 'tool_call' || event.type === 'tool_result')).toEqual([
        { type: 'tool_call', id: 'k1', tool: 'show_card', input: { title: 'Blue shoes' } },
        { type: 'tool_result', id: 'k1', tool: 'show_card', output: { ok: true }, success: true },
      ]);
      expect(final.response).toBe('I showed you the card.');
      expect((f.shop.requests[0] as RecordedRequest).body.tools).toEqual([
        expect.objectContaining({
          function: {
            name: 'show_card',
            description: 'Shows a product card',
            parameters: { type: 'object', properties: { title: { type: 'string' } } },
          },
        }),
      ]);
      expect(
        messagesOf(f.shop.requests[1] as RecordedRequest).find((message) => message.role === 'tool')?.content,
      ).toBe('{"ok":true}');
      expect(body.tool_calls).toEqual([
        { tool: 'show_card', input: { title: 'Red shoes' }, output: { ok: true }, success: true },
      ]);
      expect(body.response).toBe('Here they are.');
    });

    it("bounds a client tool's calls by its rate_limit; the call over it is a failure the model reads", async () => {
      const f = await fakes('shop');
      f.shop.enqueue(
        fakeReply.toolCalls([
          { name: 'show_card', input: { title: 'one' } },
          { name: 'show_card', input: { title: 'two' } },
        ]),
        fakeReply.text('Shown once.'),
      );
      const runtime = await runtimeWith({
        'shop.yaml': agent('shop', f.shop, {
          tools: [{ name: 'show_card', type: 'client', rate_limit: { window_seconds: 3600, max_calls: 1 } }],
        }),
      });

      const body = await jsonOf(await run(runtime, 'shop', 'Show two cards'));

      expect(body.tool_calls).toEqual([
        { tool: 'show_card', input: { title: 'one' }, output: { ok: true }, success: true },
        {
          tool: 'show_card',
          input: { title: 'two' },
          output: {
            error: { code: 'rate_limited', message: expect.stringContaining('show_card allows 1 calls per 3600 s') },
          },
          success: false,
        },
      ]);
      expect(body.response).toBe('Shown once.');
    });
  });

  describe('loading agent tools', () => {
    it('refuses a cycle of agent tools through a supervisor worker, naming each file, the field and the cycle', async () => {
      const f = await fakes('any');
      const runtime = await runtimeWith({
        'a.yaml': agent('a', f.any, {
          orchestration: { pattern: 'supervisor' },
          tools: [{ name: 'to_b', type: 'agent', agent: 'b' }],
        }),
        'b.yaml': agent('b', f.any, { tools: [{ name: 'to_c', type: 'agent', agent: 'c' }] }),
        'c.yaml': agent('c', f.any, {
          tools: [
            { name: 'calculator', type: 'builtin' },
            { name: 'to_a', type: 'agent', agent: 'a' },
          ],
        }),
        'self.yaml': agent('self', f.any, { tools: [{ name: 'me', type: 'agent', agent: 'self' }] }),
      });

      expect(await statusOf(runtime, 'a')).toMatchObject({
        status: 'error',
        error: 'a.yaml: spec.tools[0].agent: agent tools form a cycle: a → b → c → a',
      });
      expect(await statusOf(runtime, 'b')).toMatchObject({
        error: 'b.yaml: spec.tools[0].agent: agent tools form a cycle: b → c → a → b',
      });
      expect(await statusOf(runtime, 'c')).toMatchObject({
        error: 'c.yaml: spec.tools[1].agent: agent tools form a cycle: c → a → b → c',
      });
      expect(await statusOf(runtime, 'self')).toMatchObject({
        error: 'self.yaml: spec.tools[0].agent: agent tools form a cycle: self → self',
      });
      expect((await run(runtime, 'a', 'Hi')).status).toBe(503);
      expect(f.any.requestCount).toBe(0);
    });

    it('refuses an agent whose target no file defines, and loads it once the target appears, in any order', async () => {
      const f = await fakes('main', 'helper');
      f.helper.enqueue(fakeReply.text('helped'));
      f.main.enqueue(fakeReply.toolCall('ask', { query: 'help' }), fakeReply.text('done'));
      const runtime = await runtimeWith({
        'main.yaml': agent('main', f.main, { tools: [{ name: 'ask', type: 'agent', agent: 'helper' }] }),
      });
      expect(await statusOf(runtime, 'main')).toMatchObject({
        status: 'error',
        error: "main.yaml: spec.tools[0].agent: agent 'helper' is not defined by any agent file of this runtime",
      });

      runtime.writeAgent('helper.yaml', agent('helper', f.helper));

      await eventually(async () => expect(await statusOf(runtime, 'main')).toMatchObject({ status: 'ready' }));
      expect((await jsonOf(await run(runtime, 'main', 'Go'))).tool_calls[0].output).toEqual({ answer: 'helped' });
    });

    it('keeps the last good version of an agent whose target goes away, shows why, and fails only that tool call', async () => {
      const f = await fakes('main', 'helper');
      f.main.enqueue(fakeReply.toolCall('ask', { query: 'help' }), fakeReply.text('I answer alone.'));
      const runtime = await runtimeWith({
        'main.yaml': agent('main', f.main, { tools: [{ name: 'ask', type: 'agent', agent: 'helper' }] }),
        'helper.yaml': agent('helper', f.helper),
      });
      expect(await statusOf(runtime, 'main')).toMatchObject({ status: 'ready' });

      runtime.removeAgent('helper.yaml');

      await eventually(async () =>
        expect((await statusOf(runtime, 'main'))?.error).toBe(
          "main.yaml: spec.tools[0].agent: agent 'helper' is not defined by any agent file of this runtime",
        ),
      );
      const body = await jsonOf(await run(runtime, 'main', 'Go'));
      expect(body.response).toBe('I answer alone.');
      expect(body.tool_calls).toEqual([
        expect.objectContaining({
          tool: 'ask',
          success: false,
          output: { error: expect.objectContaining({ code: 'failed' }) },
        }),
      ]);
      expect(f.helper.requestCount).toBe(0);
    });

    it('refuses supervisor and swarm without workers, and an agent tool that names no agent', async () => {
      const f = await fakes('any');
      const runtime = await runtimeWith({
        'lonely.yaml': agent('lonely', f.any, { orchestration: { pattern: 'supervisor' } }),
        'alone.yaml': agent('alone', f.any, {
          orchestration: { pattern: 'swarm' },
          tools: [{ name: 'calculator', type: 'builtin' }],
        }),
        'vague.yaml': agent('vague', f.any, { tools: [{ name: 'someone', type: 'agent' }] }),
      });

      expect(await statusOf(runtime, 'lonely')).toMatchObject({
        error:
          'lonely.yaml: spec.orchestration.pattern: supervisor needs at least one tool of type agent: they are its workers',
      });
      expect(await statusOf(runtime, 'alone')).toMatchObject({
        error: expect.stringContaining(
          'alone.yaml: spec.orchestration.pattern: swarm needs at least one tool of type agent',
        ),
      });
      expect(await statusOf(runtime, 'vague')).toMatchObject({
        error: expect.stringContaining('vague.yaml: spec.tools[0].agent: '),
      });
    });
  });
});

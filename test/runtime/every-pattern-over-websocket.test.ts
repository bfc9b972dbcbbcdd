import { describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-provider.ts';
import { type FakeReply, fakeReply } from '../fakes/fake-reply.ts';
import { eventually } from '../support/eventually.ts';
import { jsonOf } from '../support/json-of.ts';
import { openAgentSocket, type StreamEvent } from '../support/open-agent-socket.ts';
import { agentYaml, type TestRuntime } from '../support/start-test-runtime.ts';
import { streamAgentRun } from './stream-agent-run.ts';
import { useRuntimeTestKit } from './use-runtime-test-kit.ts';

// The same three promises for all six patterns, through a real astromeshd: tool calls and
// results stream as WebSocket events, timeout_seconds ends a run with 408, and a client that
// leaves cancels the model request under way.

const calculate = (expression: string) =>
  fakeReply.toolCall('calculator', { expression }, { id: `calc-${expression}` });

// What the one fake each agent uses answers, call after call, for a run that uses one tool.
// Supervisor and swarm reach the calculator through the worker agent they delegate or hand off to.
const scripts: Record<string, { main: FakeReply[]; worker: FakeReply[]; answer: string }> = {
  react: { main: [calculate('6 * 7'), fakeReply.text('It is 42.')], worker: [], answer: 'It is 42.' },
  plan_and_execute: {
    main: [
      fakeReply.text('{"steps": ["Multiply"]}'),
      calculate('6 * 7'),
      fakeReply.text('42'),
      fakeReply.text('It is 42.'),
    ],
    worker: [],
    answer: 'It is 42.',
  },
  parallel_fan_out: {
    // A split that is not JSON runs the request itself as the one subtask, so the order is fixed.
    main: [fakeReply.text('no split'), calculate('6 * 7'), fakeReply.text('42'), fakeReply.text('It is 42.')],
    worker: [],
    answer: 'It is 42.',
  },
  pipeline: {
    main: [fakeReply.text('Multiply.'), calculate('6 * 7'), fakeReply.text('42'), fakeReply.text('It is 42.')],
    worker: [],
    answer: 'It is 42.',
  },
  supervisor: {
    main: [fakeReply.toolCall('math', { query: '6 * 7?' }, { id: 'to-math' }), fakeReply.text('Math says 42.')],
    worker: [calculate('6 * 7'), fakeReply.text('42')],
    answer: 'Math says 42.',
  },
  swarm: {
    main: [fakeReply.toolCall('math', { query: '6 * 7?' }, { id: 'to-math' })],
    worker: [calculate('6 * 7'), fakeReply.text('It is 42.')],
    answer: 'It is 42.',
  },
};
const patterns = Object.keys(scripts);

describe.each(patterns)('the %s pattern over the WebSocket', (pattern) => {
  const kit = useRuntimeTestKit();

  async function start(orchestration: Record<string, unknown> = {}) {
    const { main, worker } = await kit.fakes('main', 'worker');
    const model = (fake: FakeProvider) => ({
      primary: { provider: 'openai', model: 'gpt-4o-mini', endpoint: fake.baseUrl },
    });
    const runtime: TestRuntime = await kit.runtime({
      'main.yaml': agentYaml('main', {
        model: model(main),
        orchestration: { pattern, ...orchestration },
        tools: [
          { name: 'calculator', type: 'builtin' },
          { name: 'math', type: 'agent', agent: 'worker' },
        ],
      }),
      'worker.yaml': agentYaml('worker', { model: model(worker), tools: [{ name: 'calculator', type: 'builtin' }] }),
    });
    return { runtime, main, worker };
  }

  it('streams each tool call and its result as events, and tokens that add up to the answer', async () => {
    const { runtime, main, worker } = await start();
    const script = scripts[pattern] as (typeof scripts)[string];
    main.enqueue(...script.main);
    worker.enqueue(...script.worker);
    const { events } = await streamAgentRun(runtime.url, 'main', { query: 'What is 6 times 7?' });

    const toolEvents = events.filter(
      (event: StreamEvent) => event.type === 'tool_call' || event.type === 'tool_result',
    );
    const viaWorker = pattern === 'supervisor' || pattern === 'swarm';
    expect(toolEvents).toEqual(
      viaWorker
        ? [
            {
              type: 'tool_call',
              id: 'to-math',
              tool: 'math',
              input: expect.objectContaining({ query: expect.any(String) }),
            },
            { type: 'tool_result', id: 'to-math', tool: 'math', output: { answer: expect.any(String) }, success: true },
          ]
        : [
            { type: 'tool_call', id: 'calc-6 * 7', tool: 'calculator', input: { expression: '6 * 7' } },
            { type: 'tool_result', id: 'calc-6 * 7', tool: 'calculator', output: expect.anything(), success: true },
          ],
    );
    const tokens = events.filter((event: StreamEvent) => event.type === 'token').map((event) => event.content);
    expect(events.at(-1)).toMatchObject({ type: 'done', response: script.answer });
    expect(tokens.join('')).toBe(script.answer);
    expect(main.requestCount).toBe(script.main.length);
    expect(worker.requestCount).toBe(script.worker.length);
  });

  it('ends the run with 408 orchestration_timeout at timeout_seconds and cancels the model request', async () => {
    const { runtime, main } = await start({ timeout_seconds: 1 });
    main.enqueue(fakeReply.hang());
    const { events } = await streamAgentRun(runtime.url, 'main', { query: 'What is 6 times 7?' });

    expect(events.at(-1)).toMatchObject({ type: 'error', error: 'orchestration_timeout', status: 408 });
    await eventually(() => expect(main.lastRequest.wasAbortedByClient).toBe(true));
  });

  it('cancels the model request when the client closes the socket mid-run', async () => {
    const { runtime, main } = await start();
    main.enqueue(fakeReply.hang());
    const socket = await openAgentSocket(runtime.url, { agent: 'main' });
    socket.send({ query: 'What is 6 times 7?' });
    await eventually(() => expect(main.requestCount).toBe(1));

    await socket.close();

    await eventually(() => expect(main.lastRequest.wasAbortedByClient).toBe(true));
    await eventually(async () =>
      expect((await jsonOf(await runtime.request('/v1/system/status'))).active_runs).toBe(0),
    );
  });
});

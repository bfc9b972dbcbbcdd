import { describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-provider.ts';
import { type FakeReply, fakeReply } from '../fakes/fake-reply.ts';
import { jsonOf } from '../support/json-of.ts';
import type { StreamEvent } from '../support/open-agent-socket.ts';
import { agentYaml, startRuntimeOnFakeOpenAi } from '../support/start-test-runtime.ts';
import { streamAgentRun } from './stream-agent-run.ts';
import { useRuntimeTestKit } from './use-runtime-test-kit.ts';

// Upstream 0.74.1 cuts a tool's result as it enters the model's conversation: 8,000 tokens
// (ceil(characters / 4)) unless orchestration.max_tool_result_tokens or the tool's
// max_result_tokens says otherwise. Through a real astromeshd and the fake OpenAI provider: what
// the model reads, and what the caller is told.

const items = (count: number) => Array.from({ length: count }, (_, i) => ({ sku: `sku-${i}`, name: `item ${i}` }));
const tokensOf = (text: string) => Math.ceil([...text].length / 4);
// json_transform hands back the data it is given: a result as large as the model's call makes it.
const echo = (data: unknown, id = 'echo') =>
  fakeReply.toolCall('json_transform', { data, template: '{{ data | json }}' }, { id });

interface ChatMessageSeen {
  role: string;
  content: string;
  tool_call_id?: string;
}
/** The tool messages of every request the fake received, in order. */
const toolMessagesSeenBy = (fake: FakeProvider) =>
  fake.requests.flatMap((request) =>
    (request.body.messages as ChatMessageSeen[]).filter((message) => message.role === 'tool'),
  );
const model = (fake: FakeProvider) => ({
  primary: { provider: 'openai', model: 'gpt-4o-mini', endpoint: fake.baseUrl },
});

describe("a tool's result as the model reads it (upstream's token budget)", () => {
  const { cleanups } = useRuntimeTestKit();

  const run = (runtime: { request: (path: string, init?: RequestInit) => Promise<Response> }, agent: string) =>
    runtime.request(`/v1/agents/${agent}/run`, { method: 'POST', body: JSON.stringify({ query: 'List the stock.' }) });

  it("cuts a result over the default 8,000 tokens to a list's longest prefix and a note; the caller gets it whole and is told", async () => {
    const { openai, runtime } = await startRuntimeOnFakeOpenAi(cleanups, {
      agents: {
        'stock.yaml': agentYaml('stock', {
          model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } },
          tools: [{ name: 'json_transform' }],
        }),
      },
    });
    const stock = items(3000);
    openai.enqueue(echo(stock), fakeReply.text('There are many items.'));

    const response = await run(runtime, 'stock');
    const body = await jsonOf(response);

    expect(response.status).toBe(200);
    const [seen] = toolMessagesSeenBy(openai);
    const shown = JSON.parse(seen?.content ?? '') as unknown[];
    const kept = shown.length - 1;
    expect(tokensOf(seen?.content ?? '')).toBeLessThanOrEqual(8000);
    expect(shown.slice(0, kept)).toEqual(stock.slice(0, kept));
    expect(shown.at(-1)).toEqual({
      _omitted: 3000 - kept,
      _note: `result truncated: ${3000 - kept} more elements; ask for a more specific filter`,
    });
    expect(body.tool_calls).toEqual([
      {
        tool: 'json_transform',
        input: { data: stock, template: '{{ data | json }}' },
        output: stock,
        success: true,
        truncated: { tokens: tokensOf(JSON.stringify(stock)), max_tokens: 8000, omitted: 3000 - kept },
      },
    ]);
  });

  it('hands a short result to the model as it is, and says nothing about truncation', async () => {
    const { openai, runtime } = await startRuntimeOnFakeOpenAi(cleanups, {
      agents: {
        'stock.yaml': agentYaml('stock', {
          model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } },
          tools: [{ name: 'calculator' }],
        }),
      },
    });
    openai.enqueue(fakeReply.toolCall('calculator', { expression: '6 * 7' }, { id: 'calc' }), fakeReply.text('42'));
    const { events } = await streamAgentRun(runtime.url, 'stock', { query: 'What is 6 times 7?' });

    const output = { expression: '6 * 7', result: 42 };
    expect(toolMessagesSeenBy(openai)).toEqual([
      { role: 'tool', tool_call_id: 'calc', content: JSON.stringify(output) },
    ]);
    expect(events.filter((event: StreamEvent) => event.type === 'tool_result')).toEqual([
      { type: 'tool_result', id: 'calc', tool: 'calculator', output, success: true },
    ]);
  });

  it("a tool's max_result_tokens wins over the agent's max_tool_result_tokens; a result that is not a list has its text cut, with a marker", async () => {
    const { openai, runtime } = await startRuntimeOnFakeOpenAi(cleanups, {
      agents: {
        'stock.yaml': agentYaml('stock', {
          model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } },
          orchestration: { max_tool_result_tokens: 300 },
          tools: [{ name: 'json_transform', max_result_tokens: 50 }, { name: 'calculator' }],
        }),
      },
    });
    const text = 'word '.repeat(400);
    openai.enqueue(
      fakeReply.toolCalls([
        { id: 'text', name: 'json_transform', input: { data: text, template: '{{ data }}' } },
        { id: 'calc', name: 'calculator', input: { expression: '1 + 1' } },
      ]),
      fakeReply.text('Done.'),
    );

    const body = await jsonOf(await run(runtime, 'stock'));

    const whole = JSON.stringify(text);
    const marker = `\n[result truncated: 50 of ${tokensOf(whole)} tokens]`;
    const [cut, calc] = toolMessagesSeenBy(openai);
    expect(cut?.content.endsWith(marker)).toBe(true);
    expect(whole.startsWith(cut?.content.slice(0, -marker.length) ?? 'missing')).toBe(true);
    expect(tokensOf(cut?.content ?? '')).toBeLessThanOrEqual(50);
    expect(calc?.content).toBe(JSON.stringify({ expression: '1 + 1', result: 2 }));
    expect(body.tool_calls.map((call: { truncated?: unknown }) => call.truncated)).toEqual([
      { tokens: tokensOf(whole), max_tokens: 50, omitted: 0 },
      undefined,
    ]);
  });

  it('refuses a budget that is not a whole number above 0, naming the field', async () => {
    const { runtime } = await startRuntimeOnFakeOpenAi(cleanups, {
      agents: {
        'stock.yaml': agentYaml('stock', {
          model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } },
          orchestration: { max_tool_result_tokens: 0 },
        }),
      },
    });

    const body = await jsonOf(await runtime.request('/v1/agents'));

    expect(body.agents).toEqual([
      expect.objectContaining({
        name: 'stock',
        error: expect.stringContaining('spec.orchestration.max_tool_result_tokens'),
      }),
    ]);
  });
});

// Every pattern that gives tool results back to the model cuts them the same way; the worker's
// answer a supervisor reads is a tool result too.
const bigList = echo(items(300), 'big');
const scripts: Record<string, { main: FakeReply[]; worker: FakeReply[] }> = {
  react: { main: [bigList, fakeReply.text('Many.')], worker: [] },
  plan_and_execute: {
    main: [fakeReply.text('{"steps": ["List"]}'), bigList, fakeReply.text('Listed.'), fakeReply.text('Many.')],
    worker: [],
  },
  parallel_fan_out: {
    main: [fakeReply.text('no split'), bigList, fakeReply.text('Listed.'), fakeReply.text('Many.')],
    worker: [],
  },
  pipeline: {
    main: [fakeReply.text('List it.'), bigList, fakeReply.text('Listed.'), fakeReply.text('Many.')],
    worker: [],
  },
  swarm: { main: [bigList, fakeReply.text('Many.')], worker: [] },
  supervisor: {
    main: [fakeReply.toolCall('stockist', { query: 'List the stock.' }, { id: 'big' }), fakeReply.text('Many.')],
    worker: [fakeReply.text('item '.repeat(2000))],
  },
};

describe.each(Object.keys(scripts))('the %s pattern', (pattern) => {
  const kit = useRuntimeTestKit();

  it('gives the model a tool result cut to max_tool_result_tokens, and the tool_result event says so', async () => {
    const { main, worker } = await kit.fakes('main', 'worker');
    const runtime = await kit.runtime({
      'main.yaml': agentYaml('main', {
        model: model(main),
        orchestration: { pattern, max_tool_result_tokens: 100 },
        tools: [
          { name: 'json_transform', type: 'builtin' },
          { name: 'stockist', type: 'agent', agent: 'worker' },
        ],
      }),
      'worker.yaml': agentYaml('worker', { model: model(worker) }),
    });
    const script = scripts[pattern] as (typeof scripts)[string];
    main.enqueue(...script.main);
    worker.enqueue(...script.worker);
    const { events } = await streamAgentRun(runtime.url, 'main', { query: 'List the stock.' });

    expect(events.at(-1)).toMatchObject({ type: 'done', response: 'Many.' });
    const [seen] = toolMessagesSeenBy(main);
    expect(seen?.tool_call_id).toBe('big');
    expect(tokensOf(seen?.content ?? '')).toBeLessThanOrEqual(100);
    expect(seen?.content).toMatch(pattern === 'supervisor' ? /\[result truncated: 100 of \d+ tokens\]$/ : /_omitted/);
    const result = events.find((event: StreamEvent) => event.type === 'tool_result');
    expect(result?.truncated).toEqual({
      tokens: tokensOf(JSON.stringify(result?.output)),
      max_tokens: 100,
      omitted: pattern === 'supervisor' ? 0 : expect.any(Number),
    });
  });
});

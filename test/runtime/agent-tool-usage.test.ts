import { describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-provider.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { jsonOf } from '../support/json-of.ts';
import { agentYaml } from '../support/start-test-runtime.ts';
import { streamAgentRun } from './stream-agent-run.ts';
import { useRuntimeTestKit } from './use-runtime-test-kit.ts';

// The Cloud API bills and limits an org by the `usage` of the run response. An agent another
// agent runs (a tool of type agent, a supervisor's worker, a swarm's hand-off) spends tokens on
// the caller's behalf, so they are the calling run's usage too; uncounted, they were free.

const usage = (inputTokens: number, outputTokens: number) => ({ usage: { inputTokens, outputTokens } });

describe("a called agent's token usage is the calling run's", () => {
  const kit = useRuntimeTestKit();

  /** main calls middle (a tool of type agent), which may call leaf; each on a fake of its own. */
  async function start(pattern: string) {
    const { main, middle, leaf } = await kit.fakes('main', 'middle', 'leaf');
    const model = (fake: FakeProvider) => ({
      primary: { provider: 'openai', model: 'gpt-4o-mini', endpoint: fake.baseUrl },
    });
    const runtime = await kit.runtime({
      'main.yaml': agentYaml('main', {
        model: model(main),
        orchestration: { pattern },
        tools: [{ name: 'ask_middle', type: 'agent', agent: 'middle' }],
      }),
      'middle.yaml': agentYaml('middle', {
        model: model(middle),
        tools: [{ name: 'calculator' }, { name: 'ask_leaf', type: 'agent', agent: 'leaf' }],
      }),
      'leaf.yaml': agentYaml('leaf', { model: model(leaf) }),
    });
    return { runtime, main, middle, leaf };
  }

  const run = async (runtime: Awaited<ReturnType<typeof start>>['runtime']) =>
    jsonOf(
      await runtime.request('/v1/agents/main/run', {
        method: 'POST',
        body: JSON.stringify({ query: 'What is 6 times 7?' }),
      }),
    );

  it('adds every agent down the chain to the run response, and the same to the WebSocket done event', async () => {
    const { runtime, main, middle, leaf } = await start('react');
    const script = () => {
      main.enqueue(
        fakeReply.toolCall('ask_middle', { query: '6 * 7?' }, usage(100, 10)),
        fakeReply.text('42.', usage(200, 20)),
      );
      middle.enqueue(
        fakeReply.toolCall('ask_leaf', { query: '6 * 7?' }, usage(30, 3)),
        fakeReply.text('42', usage(40, 4)),
      );
      leaf.enqueue(fakeReply.text('42', usage(5, 1)));
    };
    script();

    const body = await run(runtime);

    expect(body.response).toBe('42.');
    expect(body.usage).toEqual({ input_tokens: 375, output_tokens: 38, total_tokens: 413 });

    script();
    const { final } = await streamAgentRun(runtime.url, 'main', { query: 'What is 6 times 7?' });
    expect(final).toMatchObject({
      type: 'done',
      usage: { input_tokens: 375, output_tokens: 38, total_tokens: 413 },
    });
  });

  it('counts what a called agent spent before it failed', async () => {
    const { runtime, main, middle } = await start('react');
    main.enqueue(
      fakeReply.toolCall('ask_middle', { query: '6 * 7?' }, usage(100, 10)),
      fakeReply.text('I could not find out.', usage(200, 20)),
    );
    // middle's first call is paid for; its second fails on every attempt, which fails its run.
    middle.enqueue(fakeReply.toolCall('calculator', { expression: '6 * 7' }, usage(30, 3)), fakeReply.failure(401));

    const body = await run(runtime);

    expect(body.tool_calls).toEqual([expect.objectContaining({ tool: 'ask_middle', success: false })]);
    expect(body.usage).toEqual({ input_tokens: 330, output_tokens: 33, total_tokens: 363 });
  });

  it("counts a swarm hand-off's agent, whose answer is the run's", async () => {
    const { runtime, main, middle } = await start('swarm');
    main.enqueue(fakeReply.toolCall('ask_middle', { query: '6 * 7?' }, usage(100, 10)));
    middle.enqueue(fakeReply.text('It is 42.', usage(40, 4)));

    const body = await run(runtime);

    expect(body.response).toBe('It is 42.');
    expect(body.usage).toEqual({ input_tokens: 140, output_tokens: 14, total_tokens: 154 });
  });

  it("counts a supervisor's workers", async () => {
    const { runtime, main, middle } = await start('supervisor');
    main.enqueue(
      fakeReply.toolCall('ask_middle', { query: '6 * 7?' }, usage(100, 10)),
      fakeReply.text('Middle says 42.', usage(200, 20)),
    );
    middle.enqueue(fakeReply.text('42', usage(40, 4)));

    const body = await run(runtime);

    expect(body.response).toBe('Middle says 42.');
    expect(body.usage).toEqual({ input_tokens: 340, output_tokens: 34, total_tokens: 374 });
  });
});

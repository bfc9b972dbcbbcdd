import { describe, expect, it } from 'vitest';
import { fakeReply } from '../fakes/fake-reply.ts';
import { jsonOf } from '../support/json-of.ts';
import { agentYaml, startRuntimeOnFakeOpenAi } from '../support/start-test-runtime.ts';
import { useRuntimeTestKit } from './use-runtime-test-kit.ts';

const toolNamesOf = (body: Record<string, unknown>) =>
  ((body.tools ?? []) as { function: { name: string } }[]).map((tool) => tool.function.name);

describe("spec.permissions (upstream's allowed_actions / denied_actions)", () => {
  const { cleanups } = useRuntimeTestKit();

  it('offers the model only the permitted tools and refuses a call to another one, whatever its kind', async () => {
    const { openai, runtime } = await startRuntimeOnFakeOpenAi(cleanups, {
      agents: {
        'clerk.yaml': agentYaml('clerk', {
          model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } },
          tools: [
            { name: 'calculator' },
            { name: 'datetime_now' },
            { name: 'open_form', type: 'client', description: 'Opens a form in the caller' },
          ],
          permissions: { allowed_actions: ['calc*', 'open_*'], denied_actions: ['open_form'] },
        }),
      },
    });
    openai.enqueue(
      fakeReply.toolCalls([
        { name: 'datetime_now', input: {} },
        { name: 'open_form', input: {} },
        { name: 'calculator', input: { expression: '2 + 2' } },
      ]),
      fakeReply.text('4, and I may not tell the time.'),
    );

    const response = await runtime.request('/v1/agents/clerk/run', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'What is 2 + 2, and the time?' }),
    });
    const body = await jsonOf(response);

    expect(response.status).toBe(200);
    expect(toolNamesOf(openai.requests[0]?.body ?? {})).toEqual(['calculator']);
    expect(body.tool_calls).toEqual([
      {
        tool: 'datetime_now',
        input: {},
        output: { error: { code: 'refused', message: "tool 'datetime_now' is not allowed by spec.permissions" } },
        success: false,
      },
      {
        tool: 'open_form',
        input: {},
        output: { error: { code: 'refused', message: "tool 'open_form' is not allowed by spec.permissions" } },
        success: false,
      },
      { tool: 'calculator', input: { expression: '2 + 2' }, output: { expression: '2 + 2', result: 4 }, success: true },
    ]);
  });

  it('loads an agent with permissions without the unknown-key warning it had when they were ignored', async () => {
    const { runtime } = await startRuntimeOnFakeOpenAi(cleanups, {
      agents: {
        'clerk.yaml': agentYaml('clerk', {
          model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } },
          tools: [{ name: 'calculator' }],
          permissions: { allowed_actions: ['calculator'] },
        }),
      },
    });
    const body = await jsonOf(await runtime.request('/v1/agents'));
    expect(body.agents).toEqual([expect.objectContaining({ name: 'clerk', status: 'ready' })]);
    expect(body.agents[0].warnings ?? []).toEqual([]);
  });
});

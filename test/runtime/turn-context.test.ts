import { describe, expect, it } from 'vitest';
import { fakeReply } from '../fakes/fake-reply.ts';
import { jsonOf } from '../support/json-of.ts';
import { agentYaml, startRuntimeOnFakeOpenAi } from '../support/start-test-runtime.ts';
import { useRuntimeTestKit } from './use-runtime-test-kit.ts';

interface Message {
  role: string;
  content: string;
}

const model = { primary: { provider: 'openai', model: 'gpt-4o-mini' } };
const prompts = { system: 'You help customers.', context: '  Customer tier: {{ tier }}.  ' };

describe("prompts.context (upstream's per-turn context)", () => {
  const { cleanups } = useRuntimeTestKit();

  const run = (request: (path: string, init?: RequestInit) => Promise<Response>, agent: string, body: object) =>
    request(`/v1/agents/${agent}/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('is rendered with the run’s variables, trimmed, and put before the query; the system prompt and the remembered turn stay as they were', async () => {
    const { openai, runtime } = await startRuntimeOnFakeOpenAi(cleanups, {
      agents: { 'desk.yaml': agentYaml('desk', { model, prompts }) },
    });
    openai.enqueue(fakeReply.text('Welcome back.'), fakeReply.text('Sure.'));

    await run(runtime.request, 'desk', { query: 'Hi', session_id: 's1', context: { tier: 'gold' } });
    await run(runtime.request, 'desk', { query: 'And now?', session_id: 's1', context: { tier: 'silver' } });

    const first = openai.requests[0]?.body.messages as Message[];
    expect(first).toEqual([
      { role: 'system', content: 'You help customers.' },
      { role: 'user', content: 'Customer tier: gold.\n\nHi' },
    ]);
    // The history holds the query as asked; only the current turn carries the (new) context.
    const second = openai.requests[1]?.body.messages as Message[];
    expect(second).toEqual([
      { role: 'system', content: 'You help customers.' },
      { role: 'user', content: 'Hi' },
      { role: 'assistant', content: 'Welcome back.' },
      { role: 'user', content: 'Customer tier: silver.\n\nAnd now?' },
    ]);
  });

  it('goes at the end of the system prompt for a supervisor, whose pattern does not take it with the query', async () => {
    const { openai, runtime } = await startRuntimeOnFakeOpenAi(cleanups, {
      agents: {
        'boss.yaml': agentYaml('boss', {
          model,
          prompts,
          orchestration: { pattern: 'supervisor' },
          tools: [{ name: 'ask_helper', type: 'agent', agent: 'helper' }],
        }),
        'helper.yaml': agentYaml('helper', { model }),
      },
    });
    openai.enqueue(fakeReply.text('Done.'));

    const response = await run(runtime.request, 'boss', { query: 'Plan my week', context: { tier: 'gold' } });

    expect(response.status).toBe(200);
    const messages = openai.requests[0]?.body.messages as Message[];
    expect(messages[0]?.content).toMatch(/^You help customers\.[\s\S]*\n\nCustomer tier: gold\.$/);
    expect(messages.at(-1)?.content).not.toContain('Customer tier');
  });

  it('refuses at load a context template that does not parse, naming the field', async () => {
    const { runtime } = await startRuntimeOnFakeOpenAi(cleanups, {
      agents: { 'desk.yaml': agentYaml('desk', { model, prompts: { context: 'Tier: {{ tier ' } }) },
    });
    const body = await jsonOf(await runtime.request('/v1/agents'));
    expect(body.agents).toEqual([
      expect.objectContaining({
        status: 'error',
        error: expect.stringMatching(/^desk\.yaml: spec\.prompts\.context: template does not parse/),
      }),
    ]);
  });
});

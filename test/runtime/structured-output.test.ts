import { describe, expect, it } from 'vitest';
import { fakeReply } from '../fakes/fake-reply.ts';
import { jsonOf } from '../support/json-of.ts';
import { openAgentSocket } from '../support/open-agent-socket.ts';
import { agentYaml, startRuntimeOnFakeOpenAi } from '../support/start-test-runtime.ts';
import { useRuntimeTestKit } from './use-runtime-test-kit.ts';

// Upstream's shorthand, as its sales-qualifier writes it: the properties of an object.
const scorer = agentYaml('lead-scorer', {
  model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } },
  prompts: { system: 'You score sales leads.' },
  output_schema: { score: { type: 'integer' }, next_action: { type: 'string' } },
});
const answer = 'A strong lead.\n```json\n{"score": 85, "next_action": "call"}\n```';

describe("spec.output_schema (upstream's structured output)", () => {
  const { cleanups } = useRuntimeTestKit();

  const run = (url: (path: string, init?: RequestInit) => Promise<Response>, query: string) =>
    url('/v1/agents/lead-scorer/run', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });

  it('asks for the JSON block after the system prompt, keeps the answer as written and returns the block as data', async () => {
    const { openai, runtime } = await startRuntimeOnFakeOpenAi(cleanups, { agents: { 'lead-scorer.yaml': scorer } });
    openai.enqueue(fakeReply.text(answer));

    const response = await run(runtime.request, 'Acme, 500 seats, wants a demo this week');
    const body = await jsonOf(response);

    expect(response.status).toBe(200);
    expect(body).toMatchObject({ response: answer, data: { score: 85, next_action: 'call' }, data_error: null });
    const system = (openai.lastRequest.body.messages as { role: string; content: string }[])[0];
    expect(system?.content).toMatch(/^You score sales leads\.\n\n## Structured output \(required\)\n/);
    expect(system?.content).toContain('"score": {\n      "type": "integer"\n    }');
  });

  it('answers with data null and why, never failing the run, when the block is missing or does not match', async () => {
    const { openai, runtime } = await startRuntimeOnFakeOpenAi(cleanups, { agents: { 'lead-scorer.yaml': scorer } });
    openai.enqueue(fakeReply.text('```json\n{"score": "high"}\n```'), fakeReply.text('I cannot tell.'));

    const wrong = await jsonOf(await run(runtime.request, 'Globex'));
    const missing = await jsonOf(await run(runtime.request, 'Initech'));

    expect(wrong).toMatchObject({ data: null, data_error: 'score: expected integer, got string' });
    expect(missing).toMatchObject({
      response: 'I cannot tell.',
      data: null,
      data_error: 'no valid JSON object found in the answer',
    });
  });

  it('puts data and data_error in the WebSocket done event, and leaves both out for an agent without output_schema', async () => {
    const plain = agentYaml('plain', { model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } } });
    const { openai, runtime } = await startRuntimeOnFakeOpenAi(cleanups, {
      agents: { 'lead-scorer.yaml': scorer, 'plain.yaml': plain },
    });
    openai.enqueue(fakeReply.text(answer), fakeReply.text('Hello.'));

    const socket = await openAgentSocket(runtime.url, { agent: 'lead-scorer' });
    cleanups.push(() => socket.close());
    socket.send({ query: 'Acme' });
    const done = (await socket.untilEnd()).at(-1);
    const plainBody = await jsonOf(
      await runtime.request('/v1/agents/plain/run', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'Hi' }),
      }),
    );

    expect(done).toMatchObject({ type: 'done', data: { score: 85, next_action: 'call' }, data_error: null });
    expect(plainBody).not.toHaveProperty('data');
    expect(plainBody).not.toHaveProperty('data_error');
  });
});

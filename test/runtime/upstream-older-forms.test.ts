import { describe, expect, it } from 'vitest';
import { fakeReply } from '../fakes/fake-reply.ts';
import { jsonOf } from '../support/json-of.ts';
import { startTestRuntime } from '../support/start-test-runtime.ts';
import { useRuntimeTestKit } from './use-runtime-test-kit.ts';

// What upstream's older agent files say and its runtime of that time ran: found by loading every
// stored version of upstream's own files (test/tools/check-upstream-agent-files.ts).

const offered = (body: Record<string, unknown>) =>
  ((body.tools ?? []) as { function: { name: string } }[]).map((tool) => tool.function.name);

describe("upstream's older agent-file forms, run", () => {
  const { cleanups, startFake } = useRuntimeTestKit();

  it('runs an astromech/v1 agent with a type: internal tool, offering the model only the tools upstream registered', async () => {
    const openai = await startFake('openai');
    const agent = [
      'apiVersion: astromech/v1',
      'kind: Agent',
      'metadata: {name: old-desk}',
      'spec:',
      '  model: {primary: {provider: openai, model: gpt-4o-mini}}',
      '  prompts: {system: Help.}',
      '  tools:',
      '    - {name: find_company, type: internal, description: Look up a company}',
      '    - {name: datetime_now, type: builtin}',
    ].join('\n');
    const runtime = await startTestRuntime({
      agents: { 'old-desk.agent.yaml': agent },
      credentials: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: openai.baseUrl },
    });
    cleanups.push(() => runtime.stop());
    openai.enqueue(fakeReply.text('Hello.'));

    const response = await runtime.request('/v1/agents/old-desk/run', {
      method: 'POST',
      body: JSON.stringify({ query: 'Hi', session_id: 's1' }),
    });
    const listed = await jsonOf(await runtime.request('/v1/agents'));

    expect(response.status).toBe(200);
    expect((await jsonOf(response)).response).toBe('Hello.');
    const chat = openai.requests.find((request) => request.path === '/v1/chat/completions');
    expect(offered(chat?.body ?? {})).toEqual(['datetime_now']);
    expect(listed.agents[0]).toMatchObject({ name: 'old-desk', status: 'ready' });
    expect(listed.agents[0].warnings).toEqual([
      expect.stringMatching(
        /^old-desk\.agent\.yaml: spec\.tools\[0\]\.type: tool type 'internal' .* the tool is skipped/,
      ),
      "old-desk.agent.yaml: apiVersion: astromech/v1 is upstream's name before its rename, read as astromesh/v1",
    ]);
  });

  it("bounds a tool whose rate_limit gives only max_calls per 60 s (upstream's default window), and refuses period_seconds", async () => {
    const openai = await startFake('openai');
    const agent = (name: string, rateLimit: string) =>
      [
        'apiVersion: astromesh/v1',
        'kind: Agent',
        `metadata: {name: ${name}}`,
        'spec:',
        '  model: {primary: {provider: openai, model: gpt-4o-mini}}',
        '  prompts: {system: Help.}',
        `  tools: [{name: show_card, type: client, rate_limit: ${rateLimit}}]`,
      ].join('\n');
    const runtime = await startTestRuntime({
      agents: {
        'shop.agent.yaml': agent('shop', '{max_calls: 1}'),
        'docs-example.agent.yaml': agent('docs-example', '{max_calls: 5, period_seconds: 60}'),
      },
      credentials: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: openai.baseUrl },
    });
    cleanups.push(() => runtime.stop());
    openai.enqueue(
      fakeReply.toolCalls([
        { name: 'show_card', input: { title: 'one' } },
        { name: 'show_card', input: { title: 'two' } },
      ]),
      fakeReply.text('Shown once.'),
    );

    const body = await jsonOf(
      await runtime.request('/v1/agents/shop/run', {
        method: 'POST',
        body: JSON.stringify({ query: 'Show two cards', session_id: 's1' }),
      }),
    );
    const listed = await jsonOf(await runtime.request('/v1/agents'));

    expect(body.tool_calls.map((call: { success: boolean }) => call.success)).toEqual([true, false]);
    expect(body.tool_calls[1].output.error.message).toContain('show_card allows 1 calls per 60 s');
    const refused = listed.agents.find((entry: { name: string }) => entry.name === 'docs-example.agent');
    expect(refused).toMatchObject({ status: 'error' });
    expect(refused.error).toContain(
      'spec.tools[0].rate_limit.period_seconds: unknown rate_limit setting; it would silently lift the limit',
    );
  });

  it('refuses an output max_length guardrail (astromesh-leia templates), a rule upstream discards, naming the field', async () => {
    const agent = [
      'apiVersion: astromesh/v1',
      'kind: Agent',
      'metadata: {name: short-replies}',
      'spec:',
      '  model: {primary: {provider: openai, model: gpt-4o-mini}}',
      '  prompts: {system: Help.}',
      '  guardrails:',
      '    output:',
      '      - {type: max_length, limit: 1600}',
    ].join('\n');
    const runtime = await startTestRuntime({ agents: { 'short-replies.agent.yaml': agent } });
    cleanups.push(() => runtime.stop());

    const listed = await jsonOf(await runtime.request('/v1/agents'));

    expect(listed.agents[0]).toMatchObject({ status: 'error' });
    expect(listed.agents[0].error).toContain(
      'spec.guardrails.output[0].limit: unknown guardrail setting; it would silently drop a safety rule',
    );
    expect(listed.agents[0].error).toContain(
      'spec.guardrails.output[0].type: max_length applies to input guardrails only',
    );
  });
});

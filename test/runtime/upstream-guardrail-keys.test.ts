import { describe, expect, it } from 'vitest';
import { fakeReply } from '../fakes/fake-reply.ts';
import { jsonOf } from '../support/json-of.ts';
import { agentYaml, startTestRuntime } from '../support/start-test-runtime.ts';
import { useRuntimeTestKit } from './use-runtime-test-kit.ts';

// Upstream 0.74.1's guardrail keys beside ours (core/guardrails.py): content_filter's
// forbidden_keywords are words filtered as written, in any case; topic_filter's forbidden_topics
// are topics like blocked_topics; a topic_filter may `warn` (let the input through) as upstream's
// does. Its documentation's agent references use all three.

describe("upstream's forbidden_keywords, forbidden_topics and topic_filter's warn", () => {
  const { cleanups, startFake } = useRuntimeTestKit();

  async function start(guardrails: Record<string, unknown>) {
    const openai = await startFake('openai');
    const runtime = await startTestRuntime({
      agents: {
        'guarded.yaml': agentYaml('guarded', {
          model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } },
          guardrails,
        }),
      },
      credentials: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: openai.baseUrl },
    });
    cleanups.push(() => runtime.stop());
    const run = (query: string) =>
      runtime.request('/v1/agents/guarded/run', { method: 'POST', body: JSON.stringify({ query, session_id: 's1' }) });
    return { runtime, openai, run };
  }

  it('filters each keyword as written, in any case, and no other text; blocks a forbidden topic', async () => {
    const { openai, run } = await start({
      input: [{ type: 'topic_filter', forbidden_topics: ['politics'], action: 'block' }],
      output: [{ type: 'content_filter', forbidden_keywords: ['confidential', 'a.b'] }],
    });
    openai.enqueue(fakeReply.text('This is CONFIDENTIAL: a.b, but axb is fine.'));

    const answered = await run('What is the plan?');
    const blocked = await run("Let's talk Politics.");

    expect(answered.status).toBe(200);
    expect((await jsonOf(answered)).response).toBe('This is [FILTERED]: [FILTERED], but axb is fine.');
    expect(blocked.status).toBe(400);
    expect(await jsonOf(blocked)).toMatchObject({ error: 'guardrail_blocked', details: { rule: 'topic_filter' } });
    expect(openai.requests.filter((request) => request.path === '/v1/chat/completions')).toHaveLength(1);
  });

  it("lets a forbidden topic through with upstream's action warn, the model reading the query as written", async () => {
    const { openai, run } = await start({
      input: [{ type: 'topic_filter', blocked_topics: ['politics', 'religion'], action: 'warn' }],
    });
    openai.enqueue(fakeReply.text('I would rather not.'));

    const answered = await run("Let's talk politics.");

    expect(answered.status).toBe(200);
    expect((await jsonOf(answered)).response).toBe('I would rather not.');
    const chat = openai.requests.find((request) => request.path === '/v1/chat/completions');
    expect(JSON.stringify(chat?.body.messages)).toContain("Let's talk politics.");
  });

  it("reads a pattern written for Python with a leading (?i), as upstream's docs write them", async () => {
    const { openai, run } = await start({
      output: [{ type: 'content_filter', blocked_patterns: ['(?i)\\b(kill yourself|kys)\\b'] }],
    });
    openai.enqueue(fakeReply.text('Never say KYS to anyone; skys are fine.'));

    const answered = await run('Say something.');

    expect((await jsonOf(answered)).response).toBe('Never say [FILTERED] to anyone; skys are fine.');
  });

  it.each([
    [
      { output: [{ type: 'content_filter', blocked_patterns: ['(?s)a.b'] }] },
      'spec.guardrails.output[0].blocked_patterns[0]: is not a valid regular expression',
    ],
    [
      { output: [{ type: 'content_filter', forbidden_keywords: ['x'], action: 'warn' }] },
      'spec.guardrails.output[0].action: content_filter supports action redact or block, not warn',
    ],
    [
      { output: [{ type: 'content_filter', forbidden_keywords: ['  '] }] },
      'spec.guardrails.output[0].forbidden_keywords[0]: a keyword must not be blank',
    ],
    [
      { input: [{ type: 'topic_filter', forbidden_topics: [], action: 'block' }] },
      'spec.guardrails.input[0].blocked_topics: topic_filter does nothing without at least one entry',
    ],
    [
      { input: [{ type: 'max_length', max_chars: 10, forbidden_keywords: ['x'] }] },
      'spec.guardrails.input[0].forbidden_keywords: forbidden_keywords has no effect on max_length',
    ],
  ])('refuses %j naming the field', async (guardrails, error) => {
    const { runtime } = await start(guardrails);

    const listed = await jsonOf(await runtime.request('/v1/agents'));

    expect(listed.agents[0]).toMatchObject({ status: 'error' });
    expect(listed.agents[0].error).toContain(error);
  });
});

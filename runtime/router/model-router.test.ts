import { afterEach, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../../test/fakes/fake-provider.ts';
import { fakeReply } from '../../test/fakes/fake-reply.ts';
import { startFakeProvider } from '../../test/fakes/start-fake-provider.ts';
import { eventually } from '../../test/support/eventually.ts';
import type { ModelBlock, ModelSpec, ProviderName } from '../config/agent-schema.ts';
import { ProvidersUnavailable } from '../runtime-error.ts';
import { createBreakerRegistry } from './circuit-breaker.ts';
import { createLatencyTracker } from './latency-tracker.ts';
import { createModelRouter } from './model-router.ts';
import type { ModelChunk, ModelRequest } from './model-types.ts';
import { createCandidateClient } from './providers/create-candidate-client.ts';

const credentials = (name: string) =>
  ({ OPENAI_API_KEY: 'sk-test', ANTHROPIC_API_KEY: 'sk-ant-test', GROQ_API_KEY: 'gsk-test' })[name];

const hello: ModelRequest = { messages: [{ role: 'user', content: 'Hello?' }] };

describe('the model router against real provider clients', () => {
  const fakes: FakeProvider[] = [];
  afterEach(async () => {
    await Promise.all(fakes.splice(0).map((fake) => fake.close()));
  });

  async function fake(provider: ProviderName): Promise<FakeProvider> {
    const started = await startFakeProvider(provider);
    fakes.push(started);
    return started;
  }

  const block = (
    provider: ProviderName,
    model: string,
    endpoint: string,
    extra: Partial<ModelBlock> = {},
  ): ModelBlock => ({
    provider,
    model,
    endpoint,
    ...extra,
  });

  function routerFor(spec: ModelSpec, clock = { nowMs: 0 }) {
    const breakers = createBreakerRegistry();
    const router = createModelRouter({
      spec,
      clientFor: (candidate) => createCandidateClient({ block: candidate, credentials }),
      breakers,
      latency: createLatencyTracker(),
      now: () => clock.nowMs,
      retry: { maxRetries: 2, baseDelayMs: 1, maxDelayMs: 2 },
    });
    return { router, breakers };
  }

  it('answers from the primary when it is healthy', async () => {
    const primary = await fake('openai');
    primary.enqueue(fakeReply.text('from primary'));
    const { router } = routerFor({ primary: block('openai', 'gpt-4o-mini', primary.baseUrl) });

    const response = await router.generate(hello, new AbortController().signal);

    expect(response).toMatchObject({ text: 'from primary', model: 'openai/gpt-4o-mini' });
  });

  it('retries a 429 on the same candidate before giving up on it', async () => {
    const primary = await fake('openai');
    primary.enqueue(fakeReply.failure(429), fakeReply.text('after a retry'));
    const { router } = routerFor({ primary: block('openai', 'gpt-4o-mini', primary.baseUrl) });

    const response = await router.generate(hello, new AbortController().signal);

    expect(response.text).toBe('after a retry');
    expect(primary.requestCount).toBe(2);
  });

  it('falls back after the primary keeps answering 500', async () => {
    const primary = await fake('openai');
    const fallback = await fake('anthropic');
    primary.setDefaultReply(fakeReply.failure(500));
    fallback.enqueue(fakeReply.text('from fallback'));
    const { router } = routerFor({
      primary: block('openai', 'gpt-4o-mini', primary.baseUrl),
      fallback: block('anthropic', 'claude-3-5-haiku-latest', fallback.baseUrl),
    });

    const response = await router.generate(hello, new AbortController().signal);

    expect(response).toMatchObject({ text: 'from fallback', model: 'anthropic/claude-3-5-haiku-latest' });
    expect(primary.requestCount).toBe(3);
  });

  it('falls back at once on a non-retryable 401', async () => {
    const primary = await fake('openai');
    const fallback = await fake('anthropic');
    primary.enqueue(fakeReply.failure(401));
    const { router } = routerFor({
      primary: block('openai', 'gpt-4o-mini', primary.baseUrl),
      fallback: block('anthropic', 'claude-3-5-haiku-latest', fallback.baseUrl),
    });

    await router.generate(hello, new AbortController().signal);

    expect(primary.requestCount).toBe(1);
    expect(fallback.requestCount).toBe(1);
  });

  it('gives a hanging candidate its per-call timeout, then falls back', async () => {
    const primary = await fake('openai');
    const fallback = await fake('anthropic');
    primary.setDefaultReply(fakeReply.hang());
    const { router } = routerFor({
      primary: block('openai', 'gpt-4o-mini', primary.baseUrl, { timeout: 0.2 }),
      fallback: block('anthropic', 'claude-3-5-haiku-latest', fallback.baseUrl),
    });

    const response = await router.generate(hello, new AbortController().signal);

    expect(response.model).toBe('anthropic/claude-3-5-haiku-latest');
    // A timeout is retryable: the call and both retries reached the primary, and each was cut off
    // (the fake sees the close a moment after the router moved on, hence eventually()).
    expect(primary.requestCount).toBe(3);
    await eventually(() =>
      expect(primary.requests.map((request) => request.wasAbortedByClient)).toEqual([true, true, true]),
    );
  });

  it('opens the circuit after three failures and skips the candidate for 60 s, then tries it again', async () => {
    const primary = await fake('openai');
    const fallback = await fake('anthropic');
    primary.setDefaultReply(fakeReply.failure(503));
    const clock = { nowMs: 1_000 };
    const { router, breakers } = routerFor(
      {
        primary: block('openai', 'gpt-4o-mini', primary.baseUrl),
        fallback: block('anthropic', 'claude-3-5-haiku-latest', fallback.baseUrl),
      },
      clock,
    );
    await router.generate(hello, new AbortController().signal);

    await router.generate(hello, new AbortController().signal);
    const skippedWhileOpen = primary.requestCount;
    clock.nowMs += 60_000;
    primary.setDefaultReply(fakeReply.text('recovered'));
    const afterReopen = await router.generate(hello, new AbortController().signal);

    expect(skippedWhileOpen).toBe(3);
    expect(afterReopen.text).toBe('recovered');
    expect(Object.values(breakers.states(clock.nowMs))).toEqual(['closed', 'closed']);
  });

  it('answers 503 providers_unavailable naming every candidate and its failure', async () => {
    const primary = await fake('openai');
    const fallback = await fake('anthropic');
    primary.setDefaultReply(fakeReply.failure(500));
    fallback.setDefaultReply(fakeReply.failure(401));
    const { router } = routerFor({
      primary: block('openai', 'gpt-4o-mini', primary.baseUrl),
      fallback: block('anthropic', 'claude-3-5-haiku-latest', fallback.baseUrl),
    });

    const failure = await router.generate(hello, new AbortController().signal).catch((err: unknown) => err);

    expect(failure).toBeInstanceOf(ProvidersUnavailable);
    expect((failure as ProvidersUnavailable).failures).toEqual([
      expect.objectContaining({ candidate: 'openai/gpt-4o-mini', status: 500 }),
      expect.objectContaining({ candidate: 'anthropic/claude-3-5-haiku-latest', status: 401 }),
    ]);
    expect((failure as ProvidersUnavailable).status).toBe(503);
  });

  it('sends a request for a role to that role\u2019s candidates', async () => {
    const general = await fake('openai');
    const planner = await fake('groq');
    planner.enqueue(fakeReply.text('the plan'));
    const { router } = routerFor({
      default: { candidates: [block('openai', 'gpt-4o-mini', general.baseUrl)] },
      roles: { planner: { candidates: [block('groq', 'llama-3.3-70b-versatile', planner.baseUrl)] } },
    });

    const response = await router.generate({ ...hello, role: 'planner' }, new AbortController().signal);

    expect(response.model).toBe('groq/llama-3.3-70b-versatile');
    expect(general.requestCount).toBe(0);
  });

  it('stops without trying other candidates when the caller aborts', async () => {
    const primary = await fake('openai');
    const fallback = await fake('anthropic');
    primary.setDefaultReply(fakeReply.hang());
    const { router } = routerFor({
      primary: block('openai', 'gpt-4o-mini', primary.baseUrl),
      fallback: block('anthropic', 'claude-3-5-haiku-latest', fallback.baseUrl),
    });
    const caller = new AbortController();

    const pending = router.generate(hello, caller.signal);
    await waitFor(() => primary.requestCount === 1);
    caller.abort(new Error('caller left'));

    await expect(pending).rejects.toThrow('caller left');
    expect(fallback.requestCount).toBe(0);
  });

  describe('streaming', () => {
    it('streams text deltas as they arrive, then one finish', async () => {
      const primary = await fake('openai');
      primary.enqueue(fakeReply.text(['Sun', 'ny ', 'today']));
      const { router } = routerFor({ primary: block('openai', 'gpt-4o-mini', primary.baseUrl) });

      const chunks = await collect(router.stream(hello, new AbortController().signal));

      expect(chunks.filter((c) => c.type === 'text').map((c) => (c.type === 'text' ? c.text : ''))).toEqual([
        'Sun',
        'ny ',
        'today',
      ]);
      expect(chunks.at(-1)).toMatchObject({ type: 'finish', response: { text: 'Sunny today' } });
    });

    it('falls back when the primary fails before its first chunk', async () => {
      const primary = await fake('openai');
      const fallback = await fake('ollama');
      primary.setDefaultReply(fakeReply.failure(500));
      fallback.enqueue(fakeReply.text('local answer'));
      const { router } = routerFor({
        primary: block('openai', 'gpt-4o-mini', primary.baseUrl),
        fallback: block('ollama', 'llama3.1:8b', fallback.baseUrl),
      });

      const chunks = await collect(router.stream(hello, new AbortController().signal));

      expect(chunks.at(-1)).toMatchObject({
        type: 'finish',
        response: { text: 'local answer', model: 'ollama/llama3.1:8b' },
      });
    });

    it('does not start a second answer when the provider dies mid-stream', async () => {
      const primary = await fake('openai');
      const fallback = await fake('anthropic');
      primary.enqueue(fakeReply.text(['one ', 'two ', 'three'], { disconnectAfterDeltas: 1 }));
      const { router } = routerFor({
        primary: block('openai', 'gpt-4o-mini', primary.baseUrl),
        fallback: block('anthropic', 'claude-3-5-haiku-latest', fallback.baseUrl),
      });

      const received: ModelChunk[] = [];
      const failure = await (async () => {
        for await (const chunk of router.stream(hello, new AbortController().signal)) received.push(chunk);
      })().catch((err: unknown) => err);

      expect(received).toEqual([{ type: 'text', text: 'one ' }]);
      expect(failure).toBeInstanceOf(ProvidersUnavailable);
      expect(fallback.requestCount).toBe(0);
    });

    it('treats a stream that goes silent for longer than the timeout as failed', async () => {
      const primary = await fake('openai');
      primary.enqueue(fakeReply.text(['one ', 'two'], { stallAfterDeltas: 1 }));
      const { router } = routerFor({ primary: block('openai', 'gpt-4o-mini', primary.baseUrl, { timeout: 0.2 }) });

      const failure = await collect(router.stream(hello, new AbortController().signal)).catch((err: unknown) => err);

      expect((failure as ProvidersUnavailable).failures).toEqual([
        expect.objectContaining({ candidate: 'openai/gpt-4o-mini', error: 'no answer within 200 ms' }),
      ]);
    });
  });
});

async function collect(chunks: AsyncIterable<ModelChunk>): Promise<ModelChunk[]> {
  const out: ModelChunk[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

async function waitFor(condition: () => boolean): Promise<void> {
  await eventually(() => {
    if (!condition()) throw new Error('condition not met yet');
  });
}

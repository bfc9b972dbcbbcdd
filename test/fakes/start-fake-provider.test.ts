import { describe, expect, it, onTestFinished } from 'vitest';
import type { ProviderName } from '../../runtime/config/agent-schema.ts';
import { eventually } from '../support/eventually.ts';
import type { FakeProviderOptions } from './fake-provider.ts';
import { fakeReply } from './fake-reply.ts';
import { startFakeProvider } from './start-fake-provider.ts';

async function startFake(provider: ProviderName, options: FakeProviderOptions = {}) {
  const fake = await startFakeProvider(provider, options);
  onTestFinished(() => fake.close());
  return fake;
}

function postJson(
  url: string,
  body: unknown,
  options: { headers?: Record<string, string>; signal?: AbortSignal } = {},
) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...options.headers },
    body: JSON.stringify(body),
    signal: options.signal,
  });
}

const aChatRequest = (overrides: Record<string, unknown> = {}) => ({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Hi' }],
  ...overrides,
});

async function contentOf(response: Response): Promise<unknown> {
  const body = (await response.json()) as { choices: { message: { content: unknown } }[] };
  return body.choices[0]?.message.content;
}

describe('startFakeProvider', () => {
  it('answers the queued replies in order, then the default reply', async () => {
    const fake = await startFake('openai');
    fake.enqueue(fakeReply.text('first'), fakeReply.text('second'));

    const answers = [];
    for (let i = 0; i < 3; i++)
      answers.push(await contentOf(await postJson(`${fake.baseUrl}/chat/completions`, aChatRequest())));

    expect(answers).toEqual(['first', 'second', 'Hello from the fake provider.']);
  });

  it('answers every request with the configured default reply once the queue is empty', async () => {
    const fake = await startFake('openai', { defaultReply: fakeReply.text('pong') });

    const answer = await contentOf(await postJson(`${fake.baseUrl}/chat/completions`, aChatRequest()));

    expect(answer).toBe('pong');
  });

  it('can change its default reply while running', async () => {
    const fake = await startFake('openai');

    fake.setDefaultReply(fakeReply.failure(503));
    const response = await postJson(`${fake.baseUrl}/chat/completions`, aChatRequest());

    expect(response.status).toBe(503);
  });

  it('records the path, headers and parsed body of each request', async () => {
    const fake = await startFake('groq');

    await postJson(`${fake.baseUrl}/chat/completions`, aChatRequest({ stream: false }), {
      headers: { authorization: 'Bearer gsk-test' },
    });

    expect(fake.lastRequest).toMatchObject({
      number: 1,
      method: 'POST',
      path: '/openai/v1/chat/completions',
      headers: { authorization: 'Bearer gsk-test' },
      body: aChatRequest({ stream: false }),
      isStream: false,
      isComplete: true,
      wasAbortedByClient: false,
    });
  });

  it("answers a path the provider does not serve with 404 in the provider's error format", async () => {
    const fake = await startFake('openai');

    const response = await postJson(`${fake.baseUrl}/responses`, aChatRequest());

    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { message: 'no route for POST /v1/responses' } });
  });

  it("answers a request without the expected key with the provider's 401", async () => {
    const fake = await startFake('anthropic', { apiKey: 'sk-ant-right' });

    const response = await postJson(`${fake.baseUrl}/messages`, aChatRequest(), {
      headers: { 'x-api-key': 'sk-ant-wrong' },
    });

    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
  });

  it("renders a scripted failure in the provider's error format", async () => {
    const fake = await startFake('mistral');
    fake.enqueue(fakeReply.failure(429, { message: 'Too many requests' }));

    const response = await postJson(`${fake.baseUrl}/chat/completions`, aChatRequest());

    expect(response.status).toBe(429);
    expect(await response.json()).toEqual({
      object: 'error',
      message: 'Too many requests',
      type: 'requests',
      param: null,
      code: 'rate_limit_exceeded',
    });
  });

  it('makes up tool call ids in the style of the provider', async () => {
    const fake = await startFake('anthropic');
    fake.enqueue(fakeReply.toolCall('get_weather', { city: 'Paris' }));

    const response = await postJson(`${fake.baseUrl}/messages`, aChatRequest());

    expect(await response.json()).toMatchObject({ content: [{ type: 'tool_use', id: 'toolu_1_0' }] });
  });

  it('streams OpenAI usage only when the client asks for it with stream_options', async () => {
    const fake = await startFake('openai');

    const withUsage = await (
      await postJson(
        `${fake.baseUrl}/chat/completions`,
        aChatRequest({ stream: true, stream_options: { include_usage: true } }),
      )
    ).text();
    const withoutUsage = await (
      await postJson(`${fake.baseUrl}/chat/completions`, aChatRequest({ stream: true }))
    ).text();

    expect(withUsage).toContain('"usage":{"prompt_tokens":10');
    expect(withoutUsage).not.toContain('"usage"');
    expect(withoutUsage.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('streams Ollama as NDJSON by default, as Ollama does', async () => {
    const fake = await startFake('ollama');
    fake.enqueue(fakeReply.text('Hi there'));

    const response = await postJson(`${fake.url}/api/chat`, aChatRequest());
    const lines = (await response.text())
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));

    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    expect(lines.map((line) => [line.message.content, line.done])).toEqual([
      ['Hi', false],
      [' there', false],
      ['', true],
    ]);
  });

  it('records that the client went away from a hanging request', async () => {
    const fake = await startFake('cohere');
    fake.enqueue(fakeReply.hang());
    const controller = new AbortController();

    const pending = postJson(`${fake.baseUrl}/chat`, aChatRequest(), { signal: controller.signal }).catch(
      () => 'aborted',
    );
    await eventually(() => expect(fake.requestCount).toBe(1));
    controller.abort();

    expect(await pending).toBe('aborted');
    await eventually(() => expect(fake.lastRequest.wasAbortedByClient).toBe(true));
  });

  it('does not count its own scripted disconnect as a client abort', async () => {
    const fake = await startFake('openai');
    fake.enqueue(fakeReply.text('one two three', { disconnectAfterDeltas: 1 }));

    const response = await postJson(`${fake.baseUrl}/chat/completions`, aChatRequest({ stream: true }));
    const reading = response.text().catch(() => 'cut off');

    expect(await reading).toBe('cut off');
    expect(fake.lastRequest).toMatchObject({ wasAbortedByClient: false, isComplete: false });
  });

  it('closes without waiting for a hanging request', async () => {
    const fake = await startFakeProvider('openai');
    fake.enqueue(fakeReply.hang());
    const pending = postJson(`${fake.baseUrl}/chat/completions`, aChatRequest()).catch(() => 'connection closed');
    await eventually(() => expect(fake.requestCount).toBe(1));

    await fake.close();

    expect(await pending).toBe('connection closed');
    expect(fake.lastRequest.wasAbortedByClient).toBe(false);
  });

  it('keeps only the newest requests past maxRecordedRequests, but counts them all', async () => {
    const fake = await startFake('openai', { maxRecordedRequests: 2 });

    for (let i = 1; i <= 3; i++) await postJson(`${fake.baseUrl}/chat/completions`, aChatRequest({ user: `u${i}` }));

    expect(fake.requestCount).toBe(3);
    expect(fake.requests.map((request) => request.body.user)).toEqual(['u2', 'u3']);
  });

  it('says so when a test asks for the last request before there was one', async () => {
    const fake = await startFake('ollama');

    expect(() => fake.lastRequest).toThrow('the fake ollama server has received no request');
  });
});

import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { FakeProvider } from '../../../test/fakes/fake-provider.ts';
import { fakeReply } from '../../../test/fakes/fake-reply.ts';
import { startFakeProvider } from '../../../test/fakes/start-fake-provider.ts';
import { eventually } from '../../../test/support/eventually.ts';
import type { ModelBlock } from '../../config/agent-schema.ts';
import type { ModelChunk, ModelRequest, ToolDefinition } from '../model-types.ts';
import { ProviderCallError } from '../model-types.ts';
import { createCandidateClient } from './create-candidate-client.ts';

// What the AI SDK used to do for the OpenAI-wire providers and the direct Chat Completions client
// now does itself: tool call assembly, usage, [DONE], provider errors and broken answers. The
// scripted fake speaks the real wire; a raw server sends what the fake cannot (interleaved tool
// call deltas, broken JSON, a stream that ends without finishing).

const neverAborted = () => new AbortController().signal;

function aQuestion(overrides: Partial<ModelRequest> = {}): ModelRequest {
  return { messages: [{ role: 'user', content: 'Weather in Paris and Rome?' }], ...overrides };
}

function aWeatherTool(): ToolDefinition {
  return {
    name: 'get_weather',
    description: 'Current weather for a city',
    inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  };
}

async function startFake(): Promise<FakeProvider> {
  const fake = await startFakeProvider('openai');
  onTestFinished(() => fake.close());
  return fake;
}

function anOpenAiClient(baseUrl: string, block: Partial<ModelBlock> = {}) {
  return createCandidateClient({
    block: { provider: 'openai', model: 'gpt-4o-mini', endpoint: baseUrl, ...block },
    credentials: (name) => ({ OPENAI_API_KEY: 'sk-test-77' })[name],
  });
}

async function collect(chunks: AsyncIterable<ModelChunk>): Promise<ModelChunk[]> {
  const collected: ModelChunk[] = [];
  for await (const chunk of chunks) collected.push(chunk);
  return collected;
}

interface RawServer {
  baseUrl: string;
  /** Sockets the server accepted: a client that keeps its connection alive opens one for many calls. */
  connections: () => number;
}

/** A bare HTTP server answering every POST with `answer`, for what the scripted fake cannot send. */
async function serveRaw(answer: (res: ServerResponse, req: IncomingMessage) => void): Promise<RawServer> {
  let connections = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(res, req));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, connections: () => connections };
}

function sse(res: ServerResponse, events: unknown[], options: { done?: boolean } = {}) {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const event of events) res.write(`data: ${JSON.stringify(event)}\n\n`);
  if (options.done ?? true) res.write('data: [DONE]\n\n');
  res.end();
}

const chunk = (delta: Record<string, unknown>, finishReason: string | null = null, extra = {}) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  choices: [{ index: 0, delta, finish_reason: finishReason }],
  ...extra,
});

describe('the direct Chat Completions client', () => {
  it('returns several parallel tool calls of one answer, in order, with their parsed input', async () => {
    const fake = await startFake();
    fake.enqueue(
      fakeReply.toolCalls([
        { id: 'call_a', name: 'get_weather', input: { city: 'Paris' } },
        { id: 'call_b', name: 'get_weather', input: { city: 'Rome' } },
      ]),
    );

    const response = await anOpenAiClient(fake.baseUrl).generate(
      aQuestion({ tools: [aWeatherTool()] }),
      neverAborted(),
    );

    expect(response.toolCalls).toEqual([
      { id: 'call_a', name: 'get_weather', input: { city: 'Paris' } },
      { id: 'call_b', name: 'get_weather', input: { city: 'Rome' } },
    ]);
    expect(fake.lastRequest.body).toMatchObject({ tool_choice: 'auto' });
  });

  it('streams several tool calls whose arguments arrive in pieces, then a finish with usage from the last chunk', async () => {
    const fake = await startFake();
    fake.enqueue(
      fakeReply.toolCalls(
        [
          { id: 'call_a', name: 'get_weather', input: { city: 'Paris' } },
          { id: 'call_b', name: 'get_weather', input: { city: 'Rome' } },
        ],
        { usage: { inputTokens: 40, outputTokens: 9 } },
      ),
    );

    const chunks = await collect(
      anOpenAiClient(fake.baseUrl).stream(aQuestion({ tools: [aWeatherTool()] }), neverAborted()),
    );

    const paris = { id: 'call_a', name: 'get_weather', input: { city: 'Paris' } };
    const rome = { id: 'call_b', name: 'get_weather', input: { city: 'Rome' } };
    expect(chunks).toEqual([
      { type: 'tool_call', call: paris },
      { type: 'tool_call', call: rome },
      {
        type: 'finish',
        response: expect.objectContaining({
          toolCalls: [paris, rome],
          usage: { inputTokens: 40, outputTokens: 9 },
          finishReason: 'tool-calls',
        }),
      },
    ]);
    expect(fake.lastRequest.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('assembles tool calls whose deltas interleave by index', async () => {
    const server = await serveRaw((res) =>
      sse(res, [
        chunk({ role: 'assistant', content: null }),
        chunk({
          tool_calls: [{ index: 0, id: 'call_a', type: 'function', function: { name: 'get_weather', arguments: '' } }],
        }),
        chunk({
          tool_calls: [
            { index: 1, id: 'call_b', type: 'function', function: { name: 'get_weather', arguments: '{"ci' } },
          ],
        }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
        chunk({ tool_calls: [{ index: 1, function: { arguments: 'ty":"Rome"}' } }] }),
        chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
        chunk({}, 'tool_calls'),
      ]),
    );

    const chunks = await collect(anOpenAiClient(server.baseUrl).stream(aQuestion(), neverAborted()));

    expect(chunks.filter((c) => c.type === 'tool_call')).toEqual([
      { type: 'tool_call', call: { id: 'call_a', name: 'get_weather', input: { city: 'Paris' } } },
      { type: 'tool_call', call: { id: 'call_b', name: 'get_weather', input: { city: 'Rome' } } },
    ]);
  });

  it('finishes a stream at [DONE] and reuses the kept-alive connection for the next call', async () => {
    const server = await serveRaw((res) =>
      sse(res, [
        chunk({ content: 'Hi' }),
        chunk({}, 'stop'),
        { choices: [], usage: { prompt_tokens: 3, completion_tokens: 1 } },
      ]),
    );
    const client = anOpenAiClient(server.baseUrl);

    const first = await collect(client.stream(aQuestion(), neverAborted()));
    const second = await collect(client.stream(aQuestion(), neverAborted()));

    expect(first.at(-1)).toEqual({
      type: 'finish',
      response: expect.objectContaining({ text: 'Hi', usage: { inputTokens: 3, outputTokens: 1 } }),
    });
    expect(second.at(-1)).toMatchObject({ type: 'finish' });
    expect(server.connections()).toBe(1);
  });

  it('fails a stream that ends without a finish reason or [DONE] with a retryable error', async () => {
    const server = await serveRaw((res) => sse(res, [chunk({ content: 'Hi' })], { done: false }));

    const failure = collect(anOpenAiClient(server.baseUrl).stream(aQuestion(), neverAborted()));

    await expect(failure).rejects.toMatchObject({
      isRetryable: true,
      message: 'the stream ended without finishing',
    });
  });

  it("fails with the provider's own message and no retry on 400", async () => {
    const fake = await startFake();
    fake.enqueue(fakeReply.failure(400, { message: "Invalid parameter: 'temperature' is too high." }));

    const failure = anOpenAiClient(fake.baseUrl).generate(aQuestion(), neverAborted());

    await expect(failure).rejects.toBeInstanceOf(ProviderCallError);
    await expect(failure).rejects.toMatchObject({
      status: 400,
      isRetryable: false,
      message: "HTTP 400: Invalid parameter: 'temperature' is too high.",
    });
  });

  it.each([429, 503])('fails a stream with a retryable error carrying %i', async (status) => {
    const fake = await startFake();
    fake.enqueue(fakeReply.failure(status));

    const failure = collect(anOpenAiClient(fake.baseUrl).stream(aQuestion(), neverAborted()));

    await expect(failure).rejects.toMatchObject({ status, isRetryable: true });
  });

  it('fails with a clear non-retryable error, not a TypeError, when a 200 answer is not JSON', async () => {
    const server = await serveRaw((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('<html>gateway login</html>');
    });

    const failure = anOpenAiClient(server.baseUrl).generate(aQuestion(), neverAborted());

    await expect(failure).rejects.toBeInstanceOf(ProviderCallError);
    await expect(failure).rejects.toMatchObject({
      isRetryable: false,
      message: `the provider's answer is not a Chat Completions response: not JSON (starts with "<html>gateway login</html>")`,
    });
  });

  it('names the missing field when a 200 answer is JSON of another shape', async () => {
    const server = await serveRaw((res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"result":"ok"}');
    });

    const failure = anOpenAiClient(server.baseUrl).generate(aQuestion(), neverAborted());

    await expect(failure).rejects.toMatchObject({ isRetryable: false, message: expect.stringContaining('choices:') });
  });

  it('fails a stream whose event is not JSON with a clear error', async () => {
    const server = await serveRaw((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('data: {"choices": [\n\n');
    });

    const failure = collect(anOpenAiClient(server.baseUrl).stream(aQuestion(), neverAborted()));

    await expect(failure).rejects.toMatchObject({ isRetryable: false, message: expect.stringContaining('not JSON') });
  });

  it("fails a stream with the provider's message when it sends an error event", async () => {
    const server = await serveRaw((res) =>
      sse(res, [
        chunk({ content: 'Hi' }),
        { error: { message: 'The model overloaded mid-answer.', type: 'server_error' } },
      ]),
    );

    const failure = collect(anOpenAiClient(server.baseUrl).stream(aQuestion(), neverAborted()));

    await expect(failure).rejects.toMatchObject({ message: 'The model overloaded mid-answer.' });
  });

  it('retries a 502 whose body is plain text, and says what the gateway said', async () => {
    const server = await serveRaw((res) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('upstream connect error');
    });

    const failure = anOpenAiClient(server.baseUrl).generate(aQuestion(), neverAborted());

    await expect(failure).rejects.toMatchObject({
      status: 502,
      isRetryable: true,
      message: 'HTTP 502: upstream connect error',
    });
  });

  it('closes the connection when a tool-call stream is aborted mid-way', async () => {
    const fake = await startFake();
    fake.enqueue(
      fakeReply.toolCalls([{ name: 'get_weather', input: { city: 'Paris' } }], {
        text: 'Looking it up',
        stallAfterDeltas: 1,
      }),
    );
    const controller = new AbortController();
    const reason = new Error('router timeout');
    const chunks = anOpenAiClient(fake.baseUrl)
      .stream(aQuestion({ tools: [aWeatherTool()] }), controller.signal)
      [Symbol.asyncIterator]();
    await chunks.next();

    controller.abort(reason);

    await expect(chunks.next()).rejects.toBe(reason);
    await eventually(() => expect(fake.lastRequest.wasAbortedByClient).toBe(true));
  });

  it("sends OpenAI's reasoning models a developer message and max_completion_tokens, without temperature", async () => {
    const fake = await startFake();

    await anOpenAiClient(fake.baseUrl, { model: 'gpt-5-mini', temperature: 0.3, max_tokens: 500 }).generate(
      aQuestion({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
        ],
      }),
      neverAborted(),
    );

    expect(fake.lastRequest.body).toMatchObject({
      model: 'gpt-5-mini',
      max_completion_tokens: 500,
      messages: [
        { role: 'developer', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
    });
    expect(fake.lastRequest.body).not.toHaveProperty('temperature');
    expect(fake.lastRequest.body).not.toHaveProperty('max_tokens');
  });
});

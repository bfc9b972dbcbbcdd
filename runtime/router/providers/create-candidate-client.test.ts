import { describe, expect, it, onTestFinished } from 'vitest';
import type { FakeProvider } from '../../../test/fakes/fake-provider.ts';
import { fakeReply } from '../../../test/fakes/fake-reply.ts';
import { startFakeProvider } from '../../../test/fakes/start-fake-provider.ts';
import { eventually } from '../../../test/support/eventually.ts';
import type { ModelBlock, ProviderName } from '../../config/agent-schema.ts';
import type { ChatMessage, ModelChunk, ModelRequest, ToolDefinition } from '../model-types.ts';
import { ProviderCallError } from '../model-types.ts';
import { createCandidateClient } from './create-candidate-client.ts';

// Every provider, through its client (the direct Chat Completions client for openai and
// openai_compat, the AI SDK for the others), against a fake server that speaks its wire format.

interface ProviderCase {
  provider: ProviderName;
  model: string;
  keyName: string;
  isKeyRequired: boolean;
  /** The headers that carry the key, as the provider's real API expects them. */
  authHeaders: (key: string) => Record<string, string>;
  /** How the weather tool must appear in the request body. */
  toolInBody: (tool: ToolDefinition) => Record<string, unknown>;
}

const functionTool = (tool: ToolDefinition) => ({
  tools: [
    { type: 'function', function: { name: tool.name, description: tool.description, parameters: tool.inputSchema } },
  ],
});
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

const providerCases: ProviderCase[] = [
  {
    provider: 'openai',
    model: 'gpt-4o-mini',
    keyName: 'OPENAI_API_KEY',
    isKeyRequired: true,
    authHeaders: bearer,
    toolInBody: functionTool,
  },
  {
    provider: 'anthropic',
    model: 'claude-sonnet-4-5',
    keyName: 'ANTHROPIC_API_KEY',
    isKeyRequired: true,
    authHeaders: (key) => ({ 'x-api-key': key, 'anthropic-version': '2023-06-01' }),
    toolInBody: (tool) => ({
      tools: [{ name: tool.name, description: tool.description, input_schema: tool.inputSchema }],
    }),
  },
  {
    provider: 'groq',
    model: 'llama-3.3-70b-versatile',
    keyName: 'GROQ_API_KEY',
    isKeyRequired: true,
    authHeaders: bearer,
    toolInBody: functionTool,
  },
  {
    provider: 'mistral',
    model: 'mistral-small-latest',
    keyName: 'MISTRAL_API_KEY',
    isKeyRequired: true,
    authHeaders: bearer,
    toolInBody: functionTool,
  },
  {
    provider: 'cohere',
    model: 'command-r-plus',
    keyName: 'COHERE_API_KEY',
    isKeyRequired: true,
    authHeaders: bearer,
    toolInBody: functionTool,
  },
  {
    provider: 'ollama',
    model: 'llama3.1:8b',
    keyName: 'OLLAMA_API_KEY',
    isKeyRequired: false,
    authHeaders: bearer,
    toolInBody: functionTool,
  },
  {
    provider: 'openai_compat',
    model: 'qwen2.5-7b-instruct',
    keyName: 'OPENAI_COMPAT_API_KEY',
    isKeyRequired: false,
    authHeaders: bearer,
    toolInBody: functionTool,
  },
];

async function startFake(provider: ProviderName): Promise<FakeProvider> {
  const fake = await startFakeProvider(provider);
  onTestFinished(() => fake.close());
  return fake;
}

/** A client for `fake`, with the provider's key set; `credentials` adds or overrides entries. */
function aClientFor(
  fake: FakeProvider,
  testCase: ProviderCase,
  options: { block?: Partial<ModelBlock>; credentials?: Record<string, string | undefined> } = {},
) {
  const credentials: Record<string, string | undefined> = {
    [testCase.keyName]: `test-key-for-${testCase.provider}`,
    ...options.credentials,
  };
  const block: ModelBlock = {
    provider: testCase.provider,
    model: testCase.model,
    endpoint: fake.baseUrl,
    ...options.block,
  };
  return createCandidateClient({ block, credentials: (name) => credentials[name] });
}

function aWeatherTool(): ToolDefinition {
  return {
    name: 'get_weather',
    description: 'Current weather for a city',
    inputSchema: {
      type: 'object',
      properties: { city: { type: 'string', description: 'City name' } },
      required: ['city'],
      additionalProperties: false,
    },
  };
}

function aQuestion(overrides: Partial<ModelRequest> = {}): ModelRequest {
  return { messages: [{ role: 'user', content: 'What is the weather in Paris?' }], ...overrides };
}

async function collect(chunks: AsyncIterable<ModelChunk>): Promise<ModelChunk[]> {
  const collected: ModelChunk[] = [];
  for await (const chunk of chunks) collected.push(chunk);
  return collected;
}

const neverAborted = () => new AbortController().signal;

describe.each(providerCases)('createCandidateClient for $provider', (testCase) => {
  const label = `${testCase.provider}/${testCase.model}`;

  it('generates text', async () => {
    const fake = await startFake(testCase.provider);
    fake.enqueue(fakeReply.text('Sunny and mild in Paris.'));
    const client = aClientFor(fake, testCase);

    const response = await client.generate(aQuestion(), neverAborted());

    expect(response).toMatchObject({
      text: 'Sunny and mild in Paris.',
      toolCalls: [],
      finishReason: 'stop',
      model: label,
      provider: testCase.provider,
    });
  });

  it('returns a tool call with the id the provider gave it', async () => {
    const fake = await startFake(testCase.provider);
    fake.enqueue(fakeReply.toolCall('get_weather', { city: 'Paris' }, { id: 'call_7Hq2' }));
    const client = aClientFor(fake, testCase);

    const response = await client.generate(aQuestion({ tools: [aWeatherTool()] }), neverAborted());

    expect(response.toolCalls).toEqual([{ id: 'call_7Hq2', name: 'get_weather', input: { city: 'Paris' } }]);
    expect(response.finishReason).toBe('tool-calls');
  });

  it("reports the provider's token usage", async () => {
    const fake = await startFake(testCase.provider);
    fake.enqueue(fakeReply.text('Sunny.', { usage: { inputTokens: 31, outputTokens: 7 } }));
    const client = aClientFor(fake, testCase);

    const response = await client.generate(aQuestion(), neverAborted());

    expect(response.usage).toEqual({ inputTokens: 31, outputTokens: 7 });
  });

  it('sends the model, the key and the JSON schema of each tool', async () => {
    const fake = await startFake(testCase.provider);
    const client = aClientFor(fake, testCase, { credentials: { [testCase.keyName]: 'key-1234' } });
    const tool = aWeatherTool();

    await client.generate(aQuestion({ tools: [tool] }), neverAborted());

    expect(fake.lastRequest.headers).toMatchObject(testCase.authHeaders('key-1234'));
    expect(fake.lastRequest.body).toMatchObject({ model: testCase.model, ...testCase.toolInBody(tool) });
  });

  it('streams text as the deltas arrive, then one finish with the whole answer', async () => {
    const fake = await startFake(testCase.provider);
    fake.enqueue(fakeReply.text('Sunny and mild', { usage: { inputTokens: 12, outputTokens: 3 } }));
    const client = aClientFor(fake, testCase);

    const chunks = await collect(client.stream(aQuestion(), neverAborted()));

    expect(chunks).toEqual([
      { type: 'text', text: 'Sunny' },
      { type: 'text', text: ' and' },
      { type: 'text', text: ' mild' },
      {
        type: 'finish',
        response: {
          text: 'Sunny and mild',
          toolCalls: [],
          usage: { inputTokens: 12, outputTokens: 3 },
          finishReason: 'stop',
          model: label,
          provider: testCase.provider,
        },
      },
    ]);
  });

  it('yields the first delta while the provider is still answering', async () => {
    const fake = await startFake(testCase.provider);
    fake.enqueue(fakeReply.text('Sunny and mild', { stallAfterDeltas: 1 }));
    const client = aClientFor(fake, testCase);
    const controller = new AbortController();
    onTestFinished(() => controller.abort());

    const first = await client.stream(aQuestion(), controller.signal)[Symbol.asyncIterator]().next();

    expect(first.value).toEqual({ type: 'text', text: 'Sunny' });
  });

  it('streams a tool call, then a finish that lists it', async () => {
    const fake = await startFake(testCase.provider);
    fake.enqueue(fakeReply.toolCall('get_weather', { city: 'Paris', units: 'metric' }, { id: 'call_9' }));
    const client = aClientFor(fake, testCase);

    const chunks = await collect(client.stream(aQuestion({ tools: [aWeatherTool()] }), neverAborted()));

    const call = { id: 'call_9', name: 'get_weather', input: { city: 'Paris', units: 'metric' } };
    expect(chunks).toEqual([
      { type: 'tool_call', call },
      { type: 'finish', response: expect.objectContaining({ toolCalls: [call], finishReason: 'tool-calls' }) },
    ]);
  });

  it('fails with a non-retryable error carrying the status when the key is rejected (401)', async () => {
    const fake = await startFake(testCase.provider);
    fake.enqueue(fakeReply.failure(401));
    const client = aClientFor(fake, testCase);

    const failure = client.generate(aQuestion(), neverAborted());

    await expect(failure).rejects.toBeInstanceOf(ProviderCallError);
    await expect(failure).rejects.toMatchObject({ candidate: label, status: 401, isRetryable: false });
  });

  it.each([429, 500, 503])('fails with a retryable error on %i', async (status) => {
    const fake = await startFake(testCase.provider);
    fake.enqueue(fakeReply.failure(status));
    const client = aClientFor(fake, testCase);

    const failure = client.generate(aQuestion(), neverAborted());

    await expect(failure).rejects.toMatchObject({ candidate: label, status, isRetryable: true });
  });

  it('fails a stream with a retryable error when the provider answers 500', async () => {
    const fake = await startFake(testCase.provider);
    fake.enqueue(fakeReply.failure(500));
    const client = aClientFor(fake, testCase);

    const failure = collect(client.stream(aQuestion(), neverAborted()));

    await expect(failure).rejects.toMatchObject({ candidate: label, status: 500, isRetryable: true });
  });

  it('fails a stream with a retryable error when the connection drops mid-answer', async () => {
    const fake = await startFake(testCase.provider);
    fake.enqueue(fakeReply.text('Sunny and mild', { disconnectAfterDeltas: 1 }));
    const client = aClientFor(fake, testCase);
    const chunks: ModelChunk[] = [];

    const failure = (async () => {
      for await (const chunk of client.stream(aQuestion(), neverAborted())) chunks.push(chunk);
    })();

    await expect(failure).rejects.toMatchObject({ candidate: label, isRetryable: true });
    expect(chunks).toEqual([{ type: 'text', text: 'Sunny' }]);
  });

  it('rethrows the reason unchanged and cancels the request when a call is aborted', async () => {
    const fake = await startFake(testCase.provider);
    fake.enqueue(fakeReply.hang());
    const client = aClientFor(fake, testCase);
    const controller = new AbortController();
    const reason = new Error('the caller went away');

    const pending = client.generate(aQuestion(), controller.signal);
    await eventually(() => expect(fake.requestCount).toBe(1));
    controller.abort(reason);

    await expect(pending).rejects.toBe(reason);
    await eventually(() => expect(fake.lastRequest.wasAbortedByClient).toBe(true));
  });

  it('cancels the request when a stream is aborted mid-way', async () => {
    const fake = await startFake(testCase.provider);
    fake.enqueue(fakeReply.text('Sunny and mild', { stallAfterDeltas: 1 }));
    const client = aClientFor(fake, testCase);
    const controller = new AbortController();
    const reason = new Error('router timeout');
    const chunks = client.stream(aQuestion(), controller.signal)[Symbol.asyncIterator]();
    await chunks.next();

    controller.abort(reason);

    await expect(chunks.next()).rejects.toBe(reason);
    await eventually(() => expect(fake.lastRequest.wasAbortedByClient).toBe(true));
  });

  it('cancels the request when the consumer stops reading a stream', async () => {
    const fake = await startFake(testCase.provider);
    fake.enqueue(fakeReply.text('Sunny and mild', { stallAfterDeltas: 1 }));
    const client = aClientFor(fake, testCase);

    for await (const chunk of client.stream(aQuestion(), neverAborted())) {
      if (chunk.type === 'text') break;
    }

    await eventually(() => expect(fake.lastRequest.wasAbortedByClient).toBe(true));
  });

  it('fails with a retryable error when the provider cannot be reached', async () => {
    const fake = await startFake(testCase.provider);
    const client = aClientFor(fake, testCase);
    await fake.close();

    const failure = client.generate(aQuestion(), neverAborted());

    await expect(failure).rejects.toMatchObject({ candidate: label, status: undefined, isRetryable: true });
  });

  it('never puts the key in an error message, even when the provider echoes it', async () => {
    const fake = await startFake(testCase.provider);
    fake.enqueue(fakeReply.failure(401, { message: 'Incorrect API key provided: sk-secret-4242' }));
    const client = aClientFor(fake, testCase, { credentials: { [testCase.keyName]: 'sk-secret-4242' } });

    const failure = client.generate(aQuestion(), neverAborted());

    await expect(failure).rejects.toThrow(/Incorrect API key provided: \[redacted\]/);
  });

  if (testCase.isKeyRequired) {
    it('fails every call with a non-retryable error naming the missing key, without calling the provider', async () => {
      const fake = await startFake(testCase.provider);
      const client = aClientFor(fake, testCase, { credentials: { [testCase.keyName]: undefined } });

      const failure = client.generate(aQuestion(), neverAborted());

      await expect(failure).rejects.toMatchObject({ candidate: label, status: undefined, isRetryable: false });
      await expect(failure).rejects.toThrow(testCase.keyName);
      expect(fake.requestCount).toBe(0);
    });
  }
});

describe('createCandidateClient', () => {
  const openAiCase = providerCases[0] as ProviderCase;
  const ollamaCase = providerCases.find((c) => c.provider === 'ollama') as ProviderCase;

  it('calls Chat Completions, not the Responses API, for openai', async () => {
    const fake = await startFake('openai');
    const client = aClientFor(fake, openAiCase);

    await client.generate(aQuestion(), neverAborted());

    expect(fake.lastRequest.path).toBe('/v1/chat/completions');
  });

  it('reads the base URL from <PROVIDER>_BASE_URL when the block sets no endpoint', async () => {
    const fake = await startFake('openai');
    const client = aClientFor(fake, openAiCase, {
      block: { endpoint: undefined },
      credentials: { OPENAI_BASE_URL: fake.baseUrl },
    });

    await client.generate(aQuestion(), neverAborted());

    expect(fake.requestCount).toBe(1);
  });

  it('reads the key from the credential the block names in api_key_env', async () => {
    const fake = await startFake('openai');
    const client = aClientFor(fake, openAiCase, {
      block: { api_key_env: 'TEAM_OPENAI_KEY' },
      credentials: { OPENAI_API_KEY: 'default-key', TEAM_OPENAI_KEY: 'team-key' },
    });

    await client.generate(aQuestion(), neverAborted());

    expect(fake.lastRequest.headers.authorization).toBe('Bearer team-key');
  });

  it('uses a rotated key on the next call', async () => {
    const fake = await startFake('openai');
    const credentials: Record<string, string> = { OPENAI_API_KEY: 'old-key' };
    const client = createCandidateClient({
      block: { provider: 'openai', model: 'gpt-4o-mini', endpoint: fake.baseUrl },
      credentials: (name) => credentials[name],
    });
    await client.generate(aQuestion(), neverAborted());

    credentials.OPENAI_API_KEY = 'new-key';
    await client.generate(aQuestion(), neverAborted());

    expect(fake.requests.map((request) => request.headers.authorization)).toEqual(['Bearer old-key', 'Bearer new-key']);
  });

  it('calls Ollama without a key and without an Authorization header', async () => {
    const fake = await startFake('ollama');
    const client = aClientFor(fake, ollamaCase, { credentials: { OLLAMA_API_KEY: undefined } });

    await client.generate(aQuestion(), neverAborted());

    expect(fake.lastRequest.headers.authorization).toBeUndefined();
  });

  it('reaches Ollama at OLLAMA_BASE_URL given with or without /api', async () => {
    const fake = await startFake('ollama');
    const withoutApi = aClientFor(fake, ollamaCase, {
      block: { endpoint: undefined },
      credentials: { OLLAMA_BASE_URL: fake.url },
    });
    const withApi = aClientFor(fake, ollamaCase, { block: { endpoint: `${fake.url}/api/` } });

    await withoutApi.generate(aQuestion(), neverAborted());
    await withApi.generate(aQuestion(), neverAborted());

    expect(fake.requests.map((request) => request.path)).toEqual(['/api/chat', '/api/chat']);
  });

  it('requires a key the block names in api_key_env, even for a provider that needs none', async () => {
    const fake = await startFake('ollama');
    const client = aClientFor(fake, ollamaCase, { block: { api_key_env: 'OLLAMA_CLOUD_KEY' } });

    const failure = client.generate(aQuestion(), neverAborted());

    await expect(failure).rejects.toMatchObject({
      isRetryable: false,
      message: 'credential OLLAMA_CLOUD_KEY is not set',
    });
  });

  it('fails openai_compat calls with no base URL and no key with a non-retryable error naming both', async () => {
    const client = createCandidateClient({
      block: { provider: 'openai_compat', model: 'qwen2.5-7b-instruct' },
      credentials: () => undefined,
    });

    const failure = client.generate(aQuestion(), neverAborted());

    await expect(failure).rejects.toMatchObject({ isRetryable: false });
    await expect(failure).rejects.toThrow(
      'credential OPENAI_API_KEY is not set (no endpoint or OPENAI_COMPAT_BASE_URL',
    );
  });

  it('applies temperature, max_tokens, top_p and stop from the block', async () => {
    const fake = await startFake('openai');
    const client = aClientFor(fake, openAiCase, {
      block: { temperature: 0.2, max_tokens: 256, parameters: { top_p: 0.9, stop: ['\n\n'] } },
    });

    await client.generate(aQuestion(), neverAborted());

    expect(fake.lastRequest.body).toMatchObject({ temperature: 0.2, max_tokens: 256, top_p: 0.9, stop: ['\n\n'] });
  });

  it("lets the request's maxOutputTokens override the block's max_tokens", async () => {
    const fake = await startFake('anthropic');
    const anthropicCase = providerCases.find((c) => c.provider === 'anthropic') as ProviderCase;
    const client = aClientFor(fake, anthropicCase, { block: { max_tokens: 4096 } });

    await client.generate(aQuestion({ maxOutputTokens: 64 }), neverAborted());

    expect(fake.lastRequest.body).toMatchObject({ max_tokens: 64 });
  });

  it("sends Ollama's sampling settings in options, where Ollama reads them", async () => {
    const fake = await startFake('ollama');
    const client = aClientFor(fake, ollamaCase, {
      block: { temperature: 0.2, max_tokens: 256, parameters: { top_p: 0.9, stop: '###' } },
    });

    await client.generate(aQuestion(), neverAborted());

    expect(fake.lastRequest.body.options).toEqual({ temperature: 0.2, top_p: 0.9, num_predict: 256, stop: ['###'] });
  });

  it('fails calls with a non-retryable error naming a malformed parameter', async () => {
    const fake = await startFake('openai');
    const client = aClientFor(fake, openAiCase, { block: { parameters: { top_p: 'high' } } });

    const failure = client.generate(aQuestion(), neverAborted());

    await expect(failure).rejects.toMatchObject({
      isRetryable: false,
      message: expect.stringMatching(/^parameters\.top_p: /),
    });
    expect(fake.requestCount).toBe(0);
  });

  it('sends a whole tool-using conversation in the provider format', async () => {
    const fake = await startFake('openai');
    const client = aClientFor(fake, openAiCase);
    const messages: ChatMessage[] = [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'get_weather', input: { city: 'Paris' } }] },
      { role: 'tool', toolCallId: 'call_1', toolName: 'get_weather', content: '{"celsius":21}' },
    ];

    await client.generate({ messages, tools: [aWeatherTool()] }, neverAborted());

    expect(fake.lastRequest.body.messages).toEqual([
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Weather in Paris?' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: '{"celsius":21}' },
    ]);
  });

  it('sends tool results back to Anthropic as tool_result blocks', async () => {
    const fake = await startFake('anthropic');
    const anthropicCase = providerCases.find((c) => c.provider === 'anthropic') as ProviderCase;
    const client = aClientFor(fake, anthropicCase);
    const messages: ChatMessage[] = [
      { role: 'system', content: 'You are terse.' },
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }] },
      { role: 'tool', toolCallId: 'toolu_1', toolName: 'get_weather', content: '{"celsius":21}' },
    ];

    await client.generate({ messages, tools: [aWeatherTool()] }, neverAborted());

    expect(fake.lastRequest.body).toMatchObject({
      system: [{ type: 'text', text: 'You are terse.' }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?' }] },
        {
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '{"celsius":21}' }] },
      ],
    });
  });

  it('rethrows the reason unchanged when the signal was aborted before the call', async () => {
    const fake = await startFake('openai');
    const client = aClientFor(fake, openAiCase);
    const reason = new Error('already gone');

    const failure = client.generate(aQuestion(), AbortSignal.abort(reason));

    await expect(failure).rejects.toBe(reason);
    expect(fake.requestCount).toBe(0);
  });
});

import { describe, expect, it, onTestFinished } from 'vitest';
import { fakeReply } from '../../../test/fakes/fake-reply.ts';
import { type FakeAzureOpenAI, startFakeAzureOpenAI } from '../../../test/fakes/start-fake-azure-openai.ts';
import type { ModelBlock } from '../../config/agent-schema.ts';
import type { ModelChunk } from '../model-types.ts';
import { ProviderCallError } from '../model-types.ts';
import { createCandidateClient } from './create-candidate-client.ts';
import { defaultAzureApiVersion } from './provider-endpoints.ts';

// azure_openai through the direct Chat Completions client against a fake Azure resource that serves Chat Completions
// only at /openai/deployments/{deployment}/chat/completions?api-version=… with an api-key header.

const apiKey = 'azure-test-key';
const question = { messages: [{ role: 'user' as const, content: 'Hi?' }] };

async function startAzure(deployment: string, apiVersion: string): Promise<FakeAzureOpenAI> {
  const fake = await startFakeAzureOpenAI({ deployment, apiVersion, apiKey });
  onTestFinished(() => fake.close());
  return fake;
}

function aClient(fake: FakeAzureOpenAI, block: Partial<ModelBlock>, credentials: Record<string, string> = {}) {
  return createCandidateClient({
    block: { provider: 'azure_openai', model: 'gpt-4o', endpoint: fake.endpoint, ...block },
    credentials: (name) => ({ AZURE_OPENAI_API_KEY: apiKey, ...credentials })[name],
  });
}

describe('azure_openai', () => {
  it("calls the deployment's path with the api-version query and the api-key header, not a bearer token", async () => {
    const azure = await startAzure('prod-4o', '2024-06-01');
    azure.chat.enqueue(fakeReply.text('Hello from Azure.'));

    const response = await aClient(azure, { deployment: 'prod-4o', api_version: '2024-06-01' }).generate(
      question,
      AbortSignal.timeout(10_000),
    );

    expect(response).toMatchObject({
      text: 'Hello from Azure.',
      provider: 'azure_openai',
      model: 'azure_openai/gpt-4o',
    });
    expect(azure.requests).toEqual([
      {
        path: '/openai/deployments/prod-4o/chat/completions',
        apiVersion: '2024-06-01',
        apiKeyHeader: apiKey,
        authorization: undefined,
      },
    ]);
    expect(azure.chat.lastRequest.body.messages).toEqual([{ role: 'user', content: 'Hi?' }]);
  });

  it('uses the model as the deployment and the default api-version when the block names neither', async () => {
    const azure = await startAzure('gpt-4o', defaultAzureApiVersion);

    await aClient(azure, {}).generate(question, AbortSignal.timeout(10_000));

    expect(azure.requests[0]).toMatchObject({
      path: '/openai/deployments/gpt-4o/chat/completions',
      apiVersion: defaultAzureApiVersion,
    });
  });

  it('streams from the deployment the same way', async () => {
    const azure = await startAzure('prod-4o', '2024-06-01');
    azure.chat.enqueue(fakeReply.text('Streamed from Azure.'));

    const chunks: ModelChunk[] = [];
    const client = aClient(azure, { deployment: 'prod-4o', api_version: '2024-06-01' });
    for await (const chunk of client.stream(question, AbortSignal.timeout(10_000))) chunks.push(chunk);

    const text = chunks.flatMap((chunk) => (chunk.type === 'text' ? [chunk.text] : [])).join('');
    expect(text).toBe('Streamed from Azure.');
    expect(azure.requests[0]).toMatchObject({
      path: '/openai/deployments/prod-4o/chat/completions',
      apiVersion: '2024-06-01',
      apiKeyHeader: apiKey,
      authorization: undefined,
    });
    expect(azure.chat.lastRequest.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('takes the endpoint from AZURE_OPENAI_ENDPOINT when the block has none', async () => {
    const azure = await startAzure('gpt-4o', defaultAzureApiVersion);
    const client = createCandidateClient({
      block: { source: 'azure_openai', model: 'gpt-4o' },
      credentials: (name) => ({ AZURE_OPENAI_API_KEY: apiKey, AZURE_OPENAI_ENDPOINT: azure.endpoint })[name],
    });

    await client.generate(question, AbortSignal.timeout(10_000));

    expect(azure.requests).toHaveLength(1);
  });

  it('fails without retry when neither the block nor the credentials name the resource', async () => {
    const client = createCandidateClient({
      block: { source: 'azure_openai', model: 'gpt-4o' },
      credentials: (name) => ({ AZURE_OPENAI_API_KEY: apiKey })[name],
    });

    const failure = await client.generate(question, AbortSignal.timeout(10_000)).catch((err: unknown) => err);

    expect(failure).toBeInstanceOf(ProviderCallError);
    expect(failure).toMatchObject({
      isRetryable: false,
      message: "no base URL: set the model's endpoint or the credential AZURE_OPENAI_ENDPOINT",
    });
  });

  it("calls Azure's v1 API (an endpoint ending in /openai/v1) as OpenAI's wire: {endpoint}/chat/completions, the deployment as the model, a bearer key, no api-version", async () => {
    const azure = await startAzure('prod-4o', '2024-06-01');
    azure.chat.enqueue(fakeReply.text('Hello from the v1 API.'));

    const response = await aClient(azure, { endpoint: `${azure.endpoint}/openai/v1/`, deployment: 'prod-4o' }).generate(
      question,
      AbortSignal.timeout(10_000),
    );

    expect(response).toMatchObject({ text: 'Hello from the v1 API.', provider: 'azure_openai' });
    expect(azure.requests).toEqual([
      {
        path: '/openai/v1/chat/completions',
        apiVersion: null,
        apiKeyHeader: undefined,
        authorization: `Bearer ${apiKey}`,
      },
    ]);
    expect(azure.chat.lastRequest.body.model).toBe('prod-4o');
  });

  it("reports Azure's 401 for a wrong key as a failure not worth retrying, without the key", async () => {
    const azure = await startAzure('prod-4o', '2024-06-01');

    const failure = await aClient(
      azure,
      { deployment: 'prod-4o', api_version: '2024-06-01' },
      { AZURE_OPENAI_API_KEY: 'wrong-key' },
    )
      .generate(question, AbortSignal.timeout(10_000))
      .catch((err: unknown) => err);

    expect(failure).toMatchObject({ status: 401, isRetryable: false });
    expect(String((failure as Error).message)).not.toContain('wrong-key');
  });
});

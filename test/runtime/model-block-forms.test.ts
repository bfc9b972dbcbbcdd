import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-provider.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { type FakeAzureOpenAI, startFakeAzureOpenAI } from '../fakes/start-fake-azure-openai.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { jsonOf } from '../support/json-of.ts';
import { startTestRuntime, type TestRuntime } from '../support/start-test-runtime.ts';
import { useRuntimeTestKit } from './use-runtime-test-kit.ts';

// The model-block forms of upstream agent files (test/fixtures/model-blocks), run end to end
// through astromeshd against fakes that speak each provider's wire format.

const fixturesDir = new URL('../fixtures/model-blocks/', import.meta.url).pathname;
const fixtures = (): Record<string, string> =>
  Object.fromEntries(
    readdirSync(fixturesDir)
      .filter((name) => name.endsWith('.yaml'))
      .map((name) => [name, readFileSync(join(fixturesDir, name), 'utf8')]),
  );

const keys = { openai: 'sk-openai-test', anthropic: 'sk-ant-test', azure: 'azure-test-key' };

interface Fakes {
  openai: FakeProvider;
  anthropic: FakeProvider;
  ollama: FakeProvider;
  azure: FakeAzureOpenAI;
}

describe('model blocks through astromeshd', () => {
  const { cleanups } = useRuntimeTestKit();

  async function start(agents: Record<string, string> = fixtures()): Promise<{ fakes: Fakes; runtime: TestRuntime }> {
    const [openai, anthropic, ollama, azure] = await Promise.all([
      startFakeProvider('openai', { apiKey: keys.openai }),
      startFakeProvider('anthropic', { apiKey: keys.anthropic }),
      startFakeProvider('ollama'),
      startFakeAzureOpenAI({ deployment: 'support-4o-mini', apiVersion: '2024-06-01', apiKey: keys.azure }),
    ]);
    cleanups.push(
      () => openai.close(),
      () => anthropic.close(),
      () => ollama.close(),
      () => azure.close(),
    );
    const runtime = await startTestRuntime({
      agents,
      credentials: {
        OPENAI_BASE_URL: openai.baseUrl,
        OPENAI_API_KEY: keys.openai,
        ANTHROPIC_BASE_URL: anthropic.baseUrl,
        ANTHROPIC_API_KEY: keys.anthropic,
        OLLAMA_BASE_URL: ollama.baseUrl,
        AZURE_OPENAI_ENDPOINT: azure.endpoint,
        AZURE_OPENAI_API_KEY: keys.azure,
      },
    });
    cleanups.push(() => runtime.stop());
    return { fakes: { openai, anthropic, ollama, azure }, runtime };
  }

  const run = async (runtime: TestRuntime, agent: string, query: string) => {
    const response = await runtime.request(`/v1/agents/${agent}/run`, {
      method: 'POST',
      body: JSON.stringify({ query }),
    });
    return { status: response.status, body: await jsonOf(response) };
  };

  it('loads every fixture with status ready, the unknown key as a warning in GET /v1/agents', async () => {
    const { runtime } = await start();

    const body = await jsonOf(await runtime.request('/v1/agents'));

    expect(body.agents).toEqual([
      expect.objectContaining({ name: 'azure-assistant', model: 'azure_openai/gpt-4o-mini', status: 'ready' }),
      expect.objectContaining({ name: 'litellm-roles', model: 'ollama/llama3.1:8b', status: 'ready' }),
      {
        name: 'ref-assistant',
        description: null,
        version: null,
        model: 'openai/gpt-4o-mini',
        orchestration: 'react',
        status: 'ready',
        warnings: [
          expect.stringMatching(/^ref-assistant\.yaml: spec\.model\.primary\.context_window: unknown key, ignored/),
        ],
      },
      expect.objectContaining({ name: 'vendor-name', model: 'openai/gpt-4o-mini', status: 'ready' }),
    ]);
    expect(body.agents.filter((agent: { error?: string }) => agent.error !== undefined)).toEqual([]);
  });

  it('runs source: litellm with two vendors: the planner on Anthropic, steps and synthesis on Ollama', async () => {
    const { fakes, runtime } = await start();
    fakes.anthropic.enqueue(fakeReply.text('{"steps": ["List the facts", "Draw the conclusion"]}'));
    fakes.ollama.enqueue(fakeReply.text('Fact: 2 + 2 = 4.'), fakeReply.text('So it is four.'), fakeReply.text('Four.'));

    const { status, body } = await run(runtime, 'litellm-roles', 'What is 2 + 2?');

    expect(status).toBe(200);
    expect(body).toMatchObject({ response: 'Four.', provider: 'ollama' });
    // The bare names reach each vendor's own API: litellm's prefix is gone.
    expect(fakes.anthropic.requests.map((request) => request.body.model)).toEqual(['claude-3-5-haiku']);
    expect(fakes.anthropic.lastRequest.headers['x-api-key']).toBe(keys.anthropic);
    expect(fakes.ollama.requests.map((request) => request.body.model)).toEqual([
      'llama3.1:8b',
      'llama3.1:8b',
      'llama3.1:8b',
    ]);
    // The worker role's parameters.temperature / max_tokens reach Ollama's options.
    expect(fakes.ollama.requests[0]?.body.options).toEqual({ temperature: 0.1, num_predict: 300 });
  });

  it('runs azure_openai on the deployment path with the api-version query and the api-key header', async () => {
    const { fakes, runtime } = await start();
    fakes.azure.chat.enqueue(fakeReply.text('Hello from the Azure deployment.'));

    const { status, body } = await run(runtime, 'azure-assistant', 'Hello?');

    expect(status).toBe(200);
    expect(body).toMatchObject({ response: 'Hello from the Azure deployment.', provider: 'azure_openai' });
    expect(fakes.azure.requests).toEqual([
      {
        path: '/openai/deployments/support-4o-mini/chat/completions',
        apiVersion: '2024-06-01',
        apiKeyHeader: keys.azure,
        authorization: undefined,
      },
    ]);
    expect(fakes.azure.chat.lastRequest.body.temperature).toBe(0.2);
  });

  it("runs providerRef with the entry's provider, key and model, and the block's own parameters", async () => {
    const { fakes, runtime } = await start();
    fakes.openai.enqueue(fakeReply.text('From the hosted entry.'));

    const { status, body } = await run(runtime, 'ref-assistant', 'Hi');

    expect(status).toBe(200);
    expect(body).toMatchObject({ response: 'From the hosted entry.', provider: 'openai' });
    expect(fakes.openai.lastRequest.body).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.3, top_p: 0.8 });
    expect(fakes.openai.lastRequest.headers.authorization).toBe(`Bearer ${keys.openai}`);
  });

  it('runs a vendor/model name with no source on that vendor, with the bare name', async () => {
    const { fakes, runtime } = await start();
    fakes.openai.enqueue(fakeReply.text('One line.'));

    const { status, body } = await run(runtime, 'vendor-name', 'Say one line.');

    expect(status).toBe(200);
    expect(body).toMatchObject({ response: 'One line.', provider: 'openai' });
    expect(fakes.openai.lastRequest.body).toMatchObject({ model: 'gpt-4o-mini', max_tokens: 200 });
  });

  it('reports a vendor it cannot serve as the agent error, naming file, field, vendor and the supported ones', async () => {
    const { runtime } = await start({
      'bedrock.yaml': `
apiVersion: astromesh/v1
kind: Agent
metadata: {name: bedrock}
spec:
  model:
    primary: {source: litellm, model: "bedrock/anthropic.claude-v2"}
`,
    });

    const body = await jsonOf(await runtime.request('/v1/agents'));

    expect(body.agents).toEqual([
      expect.objectContaining({
        name: 'bedrock',
        status: 'error',
        error:
          "bedrock.yaml: spec.model.primary.model: vendor 'bedrock' is not supported (litellm route); supported vendors: anthropic, azure, cohere, cohere_chat, groq, mistral, ollama, ollama_chat, openai",
      }),
    ]);
  });
});

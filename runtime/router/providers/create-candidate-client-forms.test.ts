import { describe, expect, it, onTestFinished } from 'vitest';
import { fakeReply } from '../../../test/fakes/fake-reply.ts';
import { startFakeProvider } from '../../../test/fakes/start-fake-provider.ts';
import { ProviderCallError } from '../model-types.ts';
import { createCandidateClient } from './create-candidate-client.ts';

// A candidate built from a block the loader did not resolve (a spec built in code) resolves it
// itself, the same way; only providerRef cannot be, as the providers files are the loader's.

const question = { messages: [{ role: 'user' as const, content: 'Hi?' }] };

describe('a candidate client given an unresolved model block', () => {
  it('routes source: litellm with a vendor/model name to that vendor, with the bare name and the folded parameters', async () => {
    const ollama = await startFakeProvider('ollama');
    onTestFinished(() => ollama.close());
    ollama.enqueue(fakeReply.text('Hello from Ollama.'));
    const client = createCandidateClient({
      block: { source: 'litellm', model: 'ollama/llama3', temperature: 0.9, parameters: { temperature: 0.2 } },
      credentials: (name) => ({ OLLAMA_BASE_URL: ollama.baseUrl })[name],
    });

    const response = await client.generate(question, AbortSignal.timeout(10_000));

    expect(client.label).toBe('ollama/llama3');
    expect(response).toMatchObject({ text: 'Hello from Ollama.', provider: 'ollama' });
    expect(ollama.lastRequest.body).toMatchObject({ model: 'llama3', options: { temperature: 0.2 } });
  });

  it('fails every call without retry for a providerRef, naming it', async () => {
    const client = createCandidateClient({ block: { providerRef: 'hosted' }, credentials: () => undefined });

    const failure = await client.generate(question, AbortSignal.timeout(10_000)).catch((err: unknown) => err);

    expect(failure).toBeInstanceOf(ProviderCallError);
    expect(failure).toMatchObject({
      candidate: 'hosted/unknown',
      isRetryable: false,
      message: "providerRef: unknown provider 'hosted' (known: none; read from no providers*.yaml file)",
    });
  });
});

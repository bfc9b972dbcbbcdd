import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeEmbedding } from '../../test/fakes/fake-embeddings.ts';
import type { FakeProvider } from '../../test/fakes/fake-provider.ts';
import { startFakeProvider } from '../../test/fakes/start-fake-provider.ts';
import type { EmbeddingsSpec } from '../config/agent-schema.ts';
import { cosineSimilarity } from './cosine-similarity.ts';
import { createEmbedder } from './create-embedder.ts';

const noCredentials = () => undefined;

describe('createEmbedder', () => {
  let openai: FakeProvider;
  let ollama: FakeProvider;
  beforeAll(async () => {
    [openai, ollama] = await Promise.all([
      startFakeProvider('openai', { apiKey: 'sk-test' }),
      startFakeProvider('ollama'),
    ]);
  });
  afterAll(() => Promise.all([openai.close(), ollama.close()]));

  it("embeds through OpenAI's /v1/embeddings, one vector per text in order, with the key from api_key_env", async () => {
    const spec: EmbeddingsSpec = {
      provider: 'openai',
      model: 'text-embedding-3-small',
      endpoint: openai.baseUrl,
      api_key_env: 'RAG_KEY',
    };
    const embedder = createEmbedder(spec, (name) => (name === 'RAG_KEY' ? 'sk-test' : undefined));

    const vectors = await embedder.embed(['refund policy', 'shipping times']);

    expect(vectors).toEqual([fakeEmbedding('refund policy'), fakeEmbedding('shipping times')]);
    expect(openai.lastRequest.path).toBe('/v1/embeddings');
    expect(openai.lastRequest.body).toMatchObject({
      model: 'text-embedding-3-small',
      input: ['refund policy', 'shipping times'],
    });
  });

  it("embeds through Ollama's /api/embed from the upstream endpoint form (the host, no /api)", async () => {
    const embedder = createEmbedder(
      { provider: 'ollama', model: 'nomic-embed-text', endpoint: ollama.url },
      noCredentials,
    );

    const [vector] = await embedder.embed(['How does the model router work?']);

    expect(vector).toEqual(fakeEmbedding('How does the model router work?'));
    expect(ollama.lastRequest.path).toBe('/api/embed');
    expect(ollama.lastRequest.body).toMatchObject({ model: 'nomic-embed-text' });
  });

  it('speaks the OpenAI wire for openai_compat, its base URL from the credential when the block names none', async () => {
    const embedder = createEmbedder({ provider: 'openai_compat', model: 'bge-small' }, (name) =>
      name === 'OPENAI_COMPAT_BASE_URL' ? openai.baseUrl : name === 'OPENAI_COMPAT_API_KEY' ? 'sk-test' : undefined,
    );

    expect(await embedder.embed(['a'])).toEqual([fakeEmbedding('a')]);
  });

  it('is built once and kept: a key rotated in the credentials applies at its next call', async () => {
    let key = 'sk-old';
    const embedder = createEmbedder({ provider: 'openai', model: 'm', endpoint: openai.baseUrl }, () => key);

    await expect(embedder.embed(['x'])).rejects.toMatchObject({ message: expect.stringContaining('Invalid API key') });
    key = 'sk-test';
    expect(await embedder.embed(['x'])).toEqual([fakeEmbedding('x')]);
    expect(openai.lastRequest.headers.authorization).toBe('Bearer sk-test');
  });

  it('gives similar texts similar vectors (the fake is a hashed bag of words)', async () => {
    const embedder = createEmbedder(
      { provider: 'ollama', model: 'nomic-embed-text', endpoint: ollama.url },
      noCredentials,
    );

    const [question, answer, unrelated] = await embedder.embed([
      'what is the refund policy',
      'the refund policy allows returns within 30 days',
      'kubernetes operators reconcile custom resources',
    ]);

    expect(cosineSimilarity(question ?? [], answer ?? [])).toBeGreaterThan(0.4);
    expect(cosineSimilarity(question ?? [], unrelated ?? [])).toBeLessThan(0.1);
  });

  it.each([
    [{ provider: 'openai', model: 'm', endpoint: 'http://127.0.0.1:1' }, 'credential OPENAI_API_KEY is not set'],
    [{ provider: 'openai_compat', model: 'm' }, 'no base URL: set endpoint or the credential OPENAI_COMPAT_BASE_URL'],
  ] satisfies [EmbeddingsSpec, string][])('fails with a 502 naming what is missing: %o', async (spec, message) => {
    await expect(createEmbedder(spec, noCredentials).embed(['x'])).rejects.toMatchObject({
      code: 'embedding_failed',
      status: 502,
      message: expect.stringContaining(message),
    });
  });

  it('refuses vectors of another length than the block says, and a provider that refuses the key', async () => {
    const wrongLength = createEmbedder(
      { provider: 'ollama', model: 'm', endpoint: ollama.url, dimension: 768 },
      noCredentials,
    );
    const wrongKey = createEmbedder({ provider: 'openai', model: 'm', endpoint: openai.baseUrl }, () => 'sk-wrong');

    await expect(wrongLength.embed(['x'])).rejects.toMatchObject({
      message: 'the ollama embedding model failed: returned 256 dimensions, the block says 768',
    });
    await expect(wrongKey.embed(['x'])).rejects.toMatchObject({
      code: 'embedding_failed',
      message: expect.stringContaining('Invalid API key'),
    });
  });
});

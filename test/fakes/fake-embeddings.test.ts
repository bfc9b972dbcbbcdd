import { afterEach, describe, expect, it } from 'vitest';
import { fakeEmbedding } from './fake-embeddings.ts';
import type { FakeProvider } from './fake-provider.ts';
import { fakeReply } from './fake-reply.ts';
import { startFakeProvider } from './start-fake-provider.ts';

const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('the fakes answer embedding requests', () => {
  const started: FakeProvider[] = [];
  afterEach(() => Promise.all(started.splice(0).map((fake) => fake.close())));
  const start = async (provider: 'openai' | 'ollama') => {
    const fake = await startFakeProvider(provider);
    started.push(fake);
    return fake;
  };

  it('OpenAI: /v1/embeddings in its list format, honouring dimensions, without taking a scripted chat reply', async () => {
    const fake = await start('openai');
    fake.enqueue(fakeReply.text('the scripted chat answer'));

    const response = await post(`${fake.url}/v1/embeddings`, { model: 'e', input: ['a b', 'c'], dimensions: 8 });

    expect(await response.json()).toMatchObject({
      object: 'list',
      model: 'e',
      data: [
        { object: 'embedding', index: 0, embedding: fakeEmbedding('a b', 8) },
        { object: 'embedding', index: 1, embedding: fakeEmbedding('c', 8) },
      ],
    });
    const chat = await post(`${fake.url}/v1/chat/completions`, {
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(JSON.stringify(await chat.json())).toContain('the scripted chat answer');
  });

  it('Ollama: /api/embed with one vector per input, and a 400 for input that is not text', async () => {
    const fake = await start('ollama');

    const response = await post(`${fake.url}/api/embed`, { model: 'nomic-embed-text', input: 'hello world' });
    const refused = await post(`${fake.url}/api/embed`, { model: 'nomic-embed-text', input: 42 });

    expect(await response.json()).toMatchObject({
      model: 'nomic-embed-text',
      embeddings: [fakeEmbedding('hello world')],
    });
    expect(refused.status).toBe(400);
  });

  it('derives vectors from words: unit length, order and case ignored, zero for no words', () => {
    const vector = fakeEmbedding('Refund policy');

    expect(Math.hypot(...vector)).toBeCloseTo(1, 10);
    expect(fakeEmbedding('policy refund')).toEqual(vector);
    expect(fakeEmbedding('...').every((value) => value === 0)).toBe(true);
  });
});

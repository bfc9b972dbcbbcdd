import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../test/support/free-port.ts';
import { type RunningChroma, startChromaServer } from '../../test/support/start-chroma-server.ts';
import { chromaName, createChromaStore } from './create-chroma-store.ts';
import { aRecord, describeVectorStoreContract } from './test-support/vector-store-contract.ts';

let server: RunningChroma;
let databases = 0;
beforeAll(async () => {
  server = await startChromaServer();
}, 90_000);
afterAll(() => server?.stop());

/** A fresh Chroma database, so tests never see each other's collections. */
async function aDatabase(): Promise<string> {
  const name = `vectors_${++databases}`;
  const response = await fetch(`${server.url}/api/v2/tenants/default_tenant/databases`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name }),
  });
  expect(response.status).toBe(200);
  return name;
}

describeVectorStoreContract('Chroma', async () => createChromaStore({ url: server.url, database: await aDatabase() }));

describe('createChromaStore', () => {
  it('keeps a collection as a Chroma collection in cosine space, under its own name when Chroma accepts it', async () => {
    const database = await aDatabase();
    const store = createChromaStore({ url: server.url, database });
    await store.upsert('product_docs', [aRecord('a', [0.6, 0.8])]);
    await store.upsert('semantic:support-agent', [aRecord('b', [0.6, 0.8])]);

    const listed = (await (
      await fetch(`${server.url}/api/v2/tenants/default_tenant/databases/${database}/collections`)
    ).json()) as { name: string; configuration_json: { hnsw: { space: string } } }[];

    expect(listed.map((collection) => collection.name).sort()).toEqual(
      ['product_docs', chromaName('semantic:support-agent')].sort(),
    );
    expect(chromaName('semantic:support-agent')).toMatch(/^astromesh-[0-9a-f]{32}$/);
    expect(listed.map((collection) => collection.configuration_json.hnsw.space)).toEqual(['cosine', 'cosine']);
  });

  it('keeps collections between two runtimes on one server', async () => {
    const database = await aDatabase();
    const first = createChromaStore({ url: server.url, database });
    const second = createChromaStore({ url: server.url, database });
    await first.upsert('docs', [aRecord('kept', [0.6, 0.8])]);

    expect((await second.query('docs', [0.6, 0.8], { topK: 1 })).map((result) => result.id)).toEqual(['kept']);
  });

  it('writes a batch that repeats an id as the rows would land one by one: the last wins', async () => {
    const store = createChromaStore({ url: server.url, database: await aDatabase() });
    await store.upsert('docs', [aRecord('a', [1, 0], { v: 1 }), aRecord('b', [0, 1]), aRecord('a', [1, 0], { v: 2 })]);

    expect(await store.count('docs')).toBe(2);
    expect((await store.query('docs', [1, 0], { topK: 1 }))[0]?.metadata).toEqual({ source: 'a', v: 2 });
  });

  it('answers 503 vector_store_unavailable naming the server when nothing listens there', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const store = createChromaStore({ url });

    await expect(store.count('docs')).rejects.toMatchObject({
      code: 'vector_store_unavailable',
      status: 503,
      message: expect.stringContaining(`the chromadb vector store at ${url} failed`),
    });
  });

  it('names the server and what it said when a request fails', async () => {
    const store = createChromaStore({ url: server.url, tenant: 'no-such-tenant' });

    await expect(store.upsert('docs', [aRecord('a', [1, 0])])).rejects.toMatchObject({
      code: 'vector_store_unavailable',
      status: 503,
      message: expect.stringContaining(`the chromadb vector store at ${server.url} failed`),
    });
  });
});

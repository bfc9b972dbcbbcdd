import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../test/support/free-port.ts';
import { type RunningPgvectorPostgres, startPgvectorPostgres } from '../../test/support/start-pgvector-postgres.ts';
import { createPgvectorStore } from './create-pgvector-store.ts';
import { aRecord, describeVectorStoreContract } from './test-support/vector-store-contract.ts';

let server: RunningPgvectorPostgres;
let databases = 0;
beforeAll(async () => {
  server = await startPgvectorPostgres();
}, 60_000);
afterAll(() => server?.stop());

/** A fresh database on the server, so tests never see each other's collections. */
async function aDatabaseUrl(): Promise<string> {
  const name = `vectors_${++databases}`;
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  return url.toString();
}

describeVectorStoreContract('pgvector', async () => createPgvectorStore({ connectionString: await aDatabaseUrl() }));

describe('createPgvectorStore', () => {
  it('keeps a collection in a vector(N) column with an HNSW cosine index and jsonb metadata', async () => {
    const url = await aDatabaseUrl();
    const store = createPgvectorStore({ connectionString: url });
    await store.upsert('docs', [aRecord('a', [0.6, 0.8, 0], { page: 3 })]);
    await store.close();

    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const columns = await client.query(
      `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
       FROM pg_attribute a JOIN astromesh_vector_collections c ON a.attrelid = ('astromesh_vectors_' || c.table_number)::regclass
       WHERE c.collection = 'docs' AND a.attnum > 0 ORDER BY a.attnum`,
    );
    const indexes = await client.query(
      `SELECT indexdef FROM pg_indexes i JOIN astromesh_vector_collections c ON i.tablename = 'astromesh_vectors_' || c.table_number
       WHERE c.collection = 'docs'`,
    );
    await client.end();

    expect(columns.rows).toEqual([
      { name: 'id', type: 'text' },
      { name: 'text', type: 'text' },
      { name: 'metadata', type: 'jsonb' },
      { name: 'embedding', type: 'vector(3)' },
    ]);
    expect(indexes.rows.map((row) => row.indexdef)).toContainEqual(
      expect.stringMatching(/USING hnsw \(embedding vector_cosine_ops\)/),
    );
  });

  it('keeps collections across a close and a reopen, and between two runtimes on one database', async () => {
    const url = await aDatabaseUrl();
    const first = createPgvectorStore({ connectionString: url });
    const second = createPgvectorStore({ connectionString: url });
    await first.upsert('docs', [aRecord('kept', [0.6, 0.8])]);
    await first.close();

    const seen = await second.query('docs', [0.6, 0.8], { topK: 1 });
    await second.close();

    expect(seen.map((result) => result.id)).toEqual(['kept']);
  });

  it('writes a batch that repeats an id as the rows would land one by one: the last wins', async () => {
    const store = createPgvectorStore({ connectionString: await aDatabaseUrl() });
    await store.upsert('docs', [aRecord('a', [1, 0], { v: 1 }), aRecord('b', [0, 1]), aRecord('a', [1, 0], { v: 2 })]);

    expect(await store.count('docs')).toBe(2);
    expect((await store.query('docs', [1, 0], { topK: 1 }))[0]?.metadata).toEqual({ source: 'a', v: 2 });
    await store.close();
  });

  it('answers 503 vector_store_unavailable when PostgreSQL cannot be reached, without the password', async () => {
    const url = new URL(await aDatabaseUrl());
    url.port = String(await freePort());
    const store = createPgvectorStore({ connectionString: url.toString() });

    const failure = await store.query('docs', [1, 0], { topK: 1 }).catch((err: unknown) => err);
    await store.close();

    expect(failure).toMatchObject({
      code: 'vector_store_unavailable',
      status: 503,
      message: expect.stringContaining('the pgvector vector store failed: connect ECONNREFUSED'),
    });
    expect((failure as Error).message).not.toContain(url.password);
  });

  it('treats a collection name as data: quotes and SQL in it are just a name', async () => {
    const store = createPgvectorStore({ connectionString: await aDatabaseUrl() });
    const name = `docs"; DROP TABLE astromesh_vector_collections; --`;
    await store.upsert(name, [aRecord('a', [1, 0])]);

    expect(await store.count(name)).toBe(1);
    expect(await store.count('docs')).toBe(0);
    await store.close();
  });
});

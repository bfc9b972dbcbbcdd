import { dump } from 'js-yaml';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { FakeProvider, RecordedRequest } from '../fakes/fake-provider.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { jsonOf } from '../support/json-of.ts';
import { agentYaml, startTestRuntime, type TestRuntime } from '../support/start-test-runtime.ts';
import { useVectorStoreServers } from '../support/use-vector-store-servers.ts';
import { useRuntimeTestKit } from './use-runtime-test-kit.ts';

const handbook = [
  { text: 'The Model Router selects which LLM provider answers, trying the primary first.', metadata: { page: 3 } },
  { text: 'Refunds are paid within 14 days of the return reaching our warehouse.', metadata: { page: 7 } },
  { text: 'The office dog is called Biscuit and likes carrots.', metadata: { page: 9 } },
];

const servers = useVectorStoreServers('rag');
const { aPostgresDatabase, aChromaDatabase } = servers;

interface Backend {
  /** The pipeline's vector_store (collection added) and the credentials it needs. */
  store(): Promise<{ vectorStore: Record<string, unknown>; credentials: Record<string, string> }>;
  /** How many chunks the collection holds, asked of the server itself. */
  countInServer(vectorStore: Record<string, unknown>, credentials: Record<string, string>): Promise<number>;
}

async function countInPostgres(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      "SELECT table_number FROM astromesh_vector_collections WHERE collection = 'product_docs'",
    );
    const counted = await client.query(
      `SELECT count(*)::int AS n FROM astromesh_vectors_${Number(rows[0].table_number)}`,
    );
    return counted.rows[0].n;
  } finally {
    await client.end();
  }
}

const backends: Record<string, Backend> = {
  'pgvector, the connection string from a credential (dsn_env)': {
    async store() {
      return {
        vectorStore: { backend: 'pgvector', dsn_env: 'PGVECTOR_URL' },
        credentials: { PGVECTOR_URL: await aPostgresDatabase() },
      };
    },
    countInServer: (_, credentials) => countInPostgres(credentials.PGVECTOR_URL as string),
  },
  "pgvector, upstream's connection block": {
    async store() {
      const url = new URL(await aPostgresDatabase());
      const connection = {
        host: url.hostname,
        port: Number(url.port),
        database: url.pathname.slice(1),
        user: url.username,
        password: decodeURIComponent(url.password),
      };
      return { vectorStore: { backend: 'pgvector', connection }, credentials: {} };
    },
    countInServer: async (vectorStore) => {
      const c = vectorStore.connection as Record<string, string>;
      return countInPostgres(`postgres://${c.user}:${c.password}@${c.host}:${c.port}/${c.database}`);
    },
  },
  'chromadb (a Chroma server by host and port)': {
    async store() {
      const url = new URL(servers.chroma.url);
      const vectorStore = {
        backend: 'chromadb',
        host: url.hostname,
        port: Number(url.port),
        database: await aChromaDatabase(),
      };
      return { vectorStore, credentials: {} };
    },
    countInServer: async (vectorStore) => {
      const collections = `${servers.chroma.url}/api/v2/tenants/default_tenant/databases/${vectorStore.database}/collections`;
      const collection = (await (await fetch(`${collections}/product_docs`)).json()) as { id: string };
      return (await (await fetch(`${collections}/${collection.id}/count`)).json()) as number;
    },
  },
};

describe('RAG on a server-backed vector store through astromeshd (seed 002)', () => {
  const { cleanups, startFake } = useRuntimeTestKit();

  async function start(vectorStore: Record<string, unknown>, credentials: Record<string, string>) {
    const [openai, ollama] = await Promise.all([startFake('openai'), startFake('ollama')]);
    const pipeline = dump({
      apiVersion: 'astromesh/v1',
      kind: 'RAGPipeline',
      metadata: { name: 'product-knowledge' },
      spec: {
        chunking: { strategy: 'recursive', chunk_size: 200, overlap: 20 },
        embeddings: { provider: 'ollama', model: 'nomic-embed-text', endpoint: ollama.url },
        vector_store: { ...vectorStore, collection: 'product_docs' },
        retrieval: { top_k: 5, similarity_threshold: 0.1 },
      },
    });
    const agent = agentYaml('knowledge-assistant', {
      model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } },
      prompts: { system: 'Answer from the documentation.\n{{ knowledge }}' },
      knowledge: { pipeline: 'product-knowledge', top_k: 1 },
    });
    const runtime: TestRuntime = await startTestRuntime({
      agents: { 'product-knowledge.rag.yaml': pipeline, 'knowledge-assistant.yaml': agent },
      credentials: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: openai.baseUrl, ...credentials },
    });
    cleanups.push(() => runtime.stop());
    return { runtime, openai };
  }
  const post = (runtime: TestRuntime, path: string, body: unknown) =>
    runtime.request(path, { method: 'POST', body: JSON.stringify(body) });
  const chatRequests = (fake: FakeProvider): RecordedRequest[] =>
    fake.requests.filter((request) => request.path === '/v1/chat/completions');

  it.each(Object.entries(backends))(
    '%s: ingest and query in seed 002 shapes, kept in the server, and an agent’s knowledge retrieves from it',
    async (_, backend) => {
      const { vectorStore, credentials } = await backend.store();
      const { runtime, openai } = await start(vectorStore, credentials);

      const ingested = await post(runtime, '/v1/rag/ingest', { collection: 'product_docs', documents: handbook });
      const queried = await post(runtime, '/v1/rag/query', {
        collection: 'product_docs',
        query: 'How does the model router work?',
        top_k: 2,
      });
      openai.enqueue(fakeReply.text('Refunds are paid within 14 days.'));
      const run = await post(runtime, '/v1/agents/knowledge-assistant/run', {
        query: 'How many days until refunds are paid?',
        session_id: 's1',
      });
      const pipelines = await runtime.request('/v1/rag/pipelines');

      expect(await jsonOf(ingested)).toEqual({ collection: 'product_docs', documents_ingested: 3, chunks_created: 3 });
      expect(queried.status).toBe(200);
      const results = (await jsonOf(queried)).results;
      expect(results).toHaveLength(2);
      expect(results[0]).toEqual({ text: handbook[0]?.text, score: expect.any(Number), metadata: { page: 3 } });
      expect(results[0].score).toBeGreaterThan(results[1].score);
      expect(await backend.countInServer(vectorStore, credentials)).toBe(3);
      expect(run.status).toBe(200);
      expect((await jsonOf(run)).response).toBe('Refunds are paid within 14 days.');
      expect((chatRequests(openai)[0]?.body.messages as unknown[] | undefined)?.[0]).toEqual({
        role: 'system',
        content: `Answer from the documentation.\n${handbook[1]?.text}`,
      });
      // The connection string (and the password in it) is never shown.
      const shown = await pipelines.text();
      expect(shown).toContain('"status":"ready"');
      expect(shown).not.toContain(new URL(servers.postgres.url).password);
    },
    60_000,
  );

  it('answers 503 naming the credential, not its value, when the pgvector credential is not set', async () => {
    const { runtime } = await start({ backend: 'pgvector', dsn_env: 'PGVECTOR_URL' }, {});

    const response = await post(runtime, '/v1/rag/query', { collection: 'product_docs', query: 'refunds' });

    expect(response.status).toBe(503);
    expect(await jsonOf(response)).toMatchObject({
      error: 'vector_store_unavailable',
      message:
        "pipeline 'product-knowledge': the credential PGVECTOR_URL (vector_store.dsn_env) holding the pgvector connection string is not set",
    });
  });
});

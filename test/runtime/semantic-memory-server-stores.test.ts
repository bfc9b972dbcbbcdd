import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { fakeEmbeddingDimensions } from '../fakes/fake-embeddings.ts';
import type { FakeProvider, RecordedRequest } from '../fakes/fake-provider.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { jsonOf } from '../support/json-of.ts';
import { agentYaml, startTestRuntime, type TestRuntime } from '../support/start-test-runtime.ts';
import { useVectorStoreServers } from '../support/use-vector-store-servers.ts';
import { useRuntimeTestKit } from './use-runtime-test-kit.ts';

// memory.semantic on upstream 0.74.1's server backends (memory/factory.py): pgvector at
// `connection.url` (or, here, the credential `connection.url_env` names) and chromadb, which
// upstream runs in-process and astromeshd runs on a Chroma server when `host` is given, else on
// its embedded store. Each turn must land in the server itself and come back by meaning.

const servers = useVectorStoreServers('semantic');
const { aPostgresDatabase, aChromaDatabase } = servers;

/** Rows of every vector table in the database: the memories the agent kept there. */
async function textsInPostgres(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT table_number FROM astromesh_vector_collections');
    const texts: string[] = [];
    for (const row of rows) {
      const kept = await client.query(`SELECT text FROM astromesh_vectors_${Number(row.table_number)}`);
      texts.push(...kept.rows.map((record: { text: string }) => record.text));
    }
    return texts;
  } finally {
    await client.end();
  }
}

/** Every document in every collection of a Chroma database. */
async function textsInChroma(database: string): Promise<string[]> {
  const collections = `${servers.chroma.url}/api/v2/tenants/default_tenant/databases/${database}/collections`;
  const listed = (await (await fetch(collections)).json()) as { id: string }[];
  const texts: string[] = [];
  for (const collection of listed) {
    const got = await fetch(`${collections}/${collection.id}/get`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ include: ['documents'] }),
    });
    texts.push(...((await got.json()) as { documents: string[] }).documents);
  }
  return texts;
}

interface Backend {
  /** memory.semantic's store keys, the credentials they need, and where the kept texts can be read back. */
  store(): Promise<{
    keys: Record<string, unknown>;
    credentials: Record<string, string>;
    keptInServer(): Promise<string[]>;
  }>;
}

const backends: Record<string, Backend> = {
  'pgvector, the URL from a credential (connection.url_env)': {
    async store() {
      const url = await aPostgresDatabase();
      return {
        keys: {
          backend: 'pgvector',
          connection: { url_env: 'SEMANTIC_MEMORY_DSN' },
          dimension: fakeEmbeddingDimensions,
        },
        credentials: { SEMANTIC_MEMORY_DSN: url },
        keptInServer: () => textsInPostgres(url),
      };
    },
  },
  'chromadb on a Chroma server (host, port, database)': {
    async store() {
      const database = await aChromaDatabase();
      const server = new URL(servers.chroma.url);
      return {
        keys: { backend: 'chromadb', host: server.hostname, port: Number(server.port), database },
        credentials: {},
        keptInServer: () => textsInChroma(database),
      };
    },
  },
};

const chatRequests = (fake: FakeProvider): RecordedRequest[] =>
  fake.requests.filter((request) => request.path === '/v1/chat/completions');
const systemOf = (request: RecordedRequest | undefined) =>
  JSON.stringify(
    ((request?.body.messages ?? []) as { role: string; content: unknown }[]).filter(
      (message) => message.role === 'system',
    ),
  );

describe('memory.semantic on pgvector and Chroma through astromeshd', () => {
  const { cleanups, startFake } = useRuntimeTestKit();

  async function start(keys: Record<string, unknown>, credentials: Record<string, string>) {
    const [openai, ollama] = await Promise.all([startFake('openai'), startFake('ollama')]);
    const agent = agentYaml('rememberer', {
      model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } },
      memory: {
        semantic: {
          ...keys,
          embeddings: { provider: 'ollama', model: 'nomic-embed-text', endpoint: ollama.url },
          similarity_threshold: 0.2,
        },
      },
    });
    const runtime: TestRuntime = await startTestRuntime({
      agents: { 'rememberer.yaml': agent },
      credentials: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: openai.baseUrl, ...credentials },
    });
    cleanups.push(() => runtime.stop());
    return { runtime, openai };
  }
  const run = (runtime: TestRuntime, query: string, sessionId: string) =>
    runtime.request('/v1/agents/rememberer/run', {
      method: 'POST',
      body: JSON.stringify({ query, session_id: sessionId }),
    });

  it.each(Object.entries(backends))(
    '%s: each turn is kept in the server, searchable by meaning, and recalled into the same session only',
    async (_, backend) => {
      const { keys, credentials, keptInServer } = await backend.store();
      const { runtime, openai } = await start(keys, credentials);
      openai.enqueue(
        fakeReply.text('Your locker code is 4711.'),
        fakeReply.text('It is 4711.'),
        fakeReply.text('I do not know.'),
      );

      expect((await run(runtime, 'My locker code is 4711.', 'alice')).status).toBe(200);
      const searched = await runtime.request('/v1/memory/rememberer/semantic?query=locker%20code&top_k=3');
      expect((await run(runtime, 'What is my locker code?', 'alice')).status).toBe(200);
      const alice = systemOf(chatRequests(openai).at(-1));
      expect((await run(runtime, 'What is my locker code?', 'bob')).status).toBe(200);
      const bob = systemOf(chatRequests(openai).at(-1));

      const remembered = 'user: My locker code is 4711.\nassistant: Your locker code is 4711.';
      expect(await keptInServer()).toContain(remembered);
      expect(searched.status).toBe(200);
      expect((await jsonOf(searched)).results[0]).toEqual({
        text: remembered,
        score: expect.any(Number),
        metadata: { session_id: 'alice', timestamp: expect.any(String) },
      });
      expect(alice).toContain('Your locker code is 4711.');
      expect(bob).not.toContain('4711');
      expect((await jsonOf(await runtime.request('/v1/agents/rememberer'))).memory.semantic).toBe(keys.backend);
    },
    60_000,
  );

  it("chromadb without a host (upstream's in-process Chroma) keeps memories in the embedded store, none in a server", async () => {
    const { runtime, openai } = await start({ backend: 'chromadb' }, {});
    openai.enqueue(fakeReply.text('Biscuit likes carrots.'));

    await run(runtime, 'What does the dog like?', 's1');
    const searched = await jsonOf(await runtime.request('/v1/memory/rememberer/semantic?query=dog%20carrots'));
    const agents = await jsonOf(await runtime.request('/v1/agents'));

    expect(searched.results.map((result: { text: string }) => result.text)).toEqual([
      'user: What does the dog like?\nassistant: Biscuit likes carrots.',
    ]);
    expect(agents.agents.find((agent: { name: string }) => agent.name === 'rememberer')).toMatchObject({
      status: 'ready',
    });
    expect(await textsInChroma('default_database')).not.toContain(searched.results[0].text);
  });

  it('answers the run but 503 on search naming the credential, never a value, when connection.url_env is not set', async () => {
    const { runtime, openai } = await start(
      { backend: 'pgvector', connection: { url_env: 'SEMANTIC_MEMORY_DSN' } },
      {},
    );
    openai.enqueue(fakeReply.text('Noted.'));

    const answered = await run(runtime, 'Remember this.', 's1');
    const searched = await runtime.request('/v1/memory/rememberer/semantic?query=remember');

    expect(answered.status).toBe(200);
    expect(searched.status).toBe(503);
    expect(await jsonOf(searched)).toEqual({
      error: 'vector_store_unavailable',
      message:
        "agent 'rememberer' memory.semantic: the credential SEMANTIC_MEMORY_DSN (memory.semantic.connection.url_env) holding the pgvector connection string is not set",
      status: 503,
    });
  });

  it('runs an agent whose memory.semantic has no embeddings without semantic memory, as upstream did until 0.74', async () => {
    const openai = await startFake('openai');
    const agent = agentYaml('rememberer', {
      model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } },
      memory: { semantic: { backend: 'chromadb', similarity_threshold: 0.75, max_results: 5 } },
    });
    const runtime = await startTestRuntime({
      agents: { 'rememberer.yaml': agent },
      credentials: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: openai.baseUrl },
    });
    cleanups.push(() => runtime.stop());
    openai.enqueue(fakeReply.text('Noted.'), fakeReply.text('Hello again.'));

    const first = await run(runtime, 'My locker code is 4711.', 's1');
    const second = await run(runtime, 'What is my locker code?', 's1');
    const searched = await jsonOf(await runtime.request('/v1/memory/rememberer/semantic?query=locker'));
    const shown = await jsonOf(await runtime.request('/v1/agents/rememberer'));

    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(searched).toEqual({ results: [] });
    expect(shown.memory).toEqual({ conversational: 'memory' });
    expect(systemOf(chatRequests(openai).at(-1))).not.toContain('4711');
  });

  it("loads a RAGPipeline written with upstream's pre-rename apiVersion (astromech/v1), with a warning", async () => {
    const pipeline = [
      'apiVersion: astromech/v1',
      'kind: RAGPipeline',
      'metadata: {name: old-docs}',
      'spec:',
      '  embeddings: {provider: ollama, model: nomic-embed-text}',
      '  vector_store: {backend: sqlite, collection: old_docs}',
    ].join('\n');
    const runtime = await startTestRuntime({ agents: { 'old-docs.rag.yaml': pipeline } });
    cleanups.push(() => runtime.stop());

    const listed = await jsonOf(await runtime.request('/v1/rag/pipelines'));

    expect(listed.pipelines).toEqual([
      expect.objectContaining({
        name: 'old-docs',
        status: 'ready',
        warnings: [
          "old-docs.rag.yaml: apiVersion: astromech/v1 is upstream's name before its rename, read as astromesh/v1",
        ],
      }),
    ]);
  });

  it.each([
    [
      { backend: 'pgvector' },
      'spec.memory.semantic.connection: the pgvector backend needs one of connection.url and connection.url_env (a credential holding it)',
    ],
    [
      { backend: 'pgvector', connection: { url: 'mysql://db' } },
      'spec.memory.semantic.connection.url: must be a postgres:// or postgresql:// connection string',
    ],
    [
      { backend: 'pgvector', connection: { url: 'postgres://astromesh:s3cret@db:5432/memory' } },
      'spec.memory.semantic.connection.url: a password in connection.url would live in the agent file; put the URL in a credential and name it in connection.url_env',
    ],
    [
      { backend: 'sqlite', host: 'chroma.example' },
      'spec.memory.semantic.host: host is not a key of the sqlite backend; its keys: none',
    ],
    [
      { backend: 'chromadb', port: 8000 },
      'spec.memory.semantic.host: port, ssl, tenant and database are for a Chroma server: give its host',
    ],
    [
      { backend: 'qdrant' },
      'spec.memory.semantic.backend: vector store backend "qdrant" is not supported by this runtime; supported: sqlite (embedded, a file under --data-dir), pgvector (PostgreSQL at connection.url or connection.url_env), chromadb or chroma (embedded, or a Chroma server at host and port)',
    ],
  ])('refuses %j at load, naming the field and what it takes', async (keys, error) => {
    const { runtime } = await start(keys, {});

    const listed = await jsonOf(await runtime.request('/v1/agents'));

    expect(JSON.stringify(listed)).not.toContain('s3cret');
    expect(listed.agents).toEqual([
      expect.objectContaining({ name: 'rememberer', status: 'error', error: `rememberer.yaml: ${error}` }),
    ]);
  });
});

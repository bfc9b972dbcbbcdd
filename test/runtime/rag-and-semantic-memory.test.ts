import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { fakeEmbedding } from '../fakes/fake-embeddings.ts';
import type { FakeProvider, RecordedRequest } from '../fakes/fake-provider.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { jsonOf } from '../support/json-of.ts';
import { agentYaml, startTestRuntime, type TestRuntime } from '../support/start-test-runtime.ts';
import { useRuntimeTestKit } from './use-runtime-test-kit.ts';

const fixturesDir = new URL('../fixtures/rag/', import.meta.url).pathname;
/** The upstream-style RAGPipeline and agent files of test/fixtures/rag, by file name. */
const fixtureFiles = (): Record<string, string> =>
  Object.fromEntries(readdirSync(fixturesDir).map((name) => [name, readFileSync(join(fixturesDir, name), 'utf8')]));

const chatRequests = (fake: FakeProvider): RecordedRequest[] =>
  fake.requests.filter((request) => request.path === '/v1/chat/completions');
const messagesOf = (request: RecordedRequest | undefined) =>
  (request?.body.messages ?? []) as { role: string; content: unknown }[];

/** A RAGPipeline file embedding through the fake Ollama (upstream's endpoint form: the host). */
const pipelineYaml = (name: string, ollama: FakeProvider, spec: Record<string, unknown> = {}) =>
  dump({
    apiVersion: 'astromesh/v1',
    kind: 'RAGPipeline',
    metadata: { name },
    spec: {
      chunking: { strategy: 'recursive', chunk_size: 200, overlap: 20 },
      embeddings: { provider: 'ollama', model: 'nomic-embed-text', endpoint: ollama.url },
      vector_store: { backend: 'sqlite', collection: 'product_docs' },
      ...spec,
    },
  });

const handbook = [
  { text: 'The Model Router selects which LLM provider answers, trying the primary first.', metadata: { page: 3 } },
  { text: 'Refunds are paid within 14 days of the return reaching our warehouse.', metadata: { page: 7 } },
  { text: 'The office dog is called Biscuit and likes carrots.', metadata: { page: 9 } },
];

describe('RAG and semantic memory through the HTTP API (seed 002)', () => {
  const { cleanups, startFake } = useRuntimeTestKit();

  async function start(agents: (fakes: { openai: FakeProvider; ollama: FakeProvider }) => Record<string, string>) {
    const [openai, ollama] = await Promise.all([startFake('openai'), startFake('ollama')]);
    const runtime: TestRuntime = await startTestRuntime({
      agents: {
        'product-knowledge.rag.yaml': pipelineYaml('product-knowledge', ollama),
        ...agents({ openai, ollama }),
      },
      credentials: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: openai.baseUrl },
    });
    cleanups.push(() => runtime.stop());
    return { runtime, openai, ollama };
  }

  const post = (runtime: TestRuntime, path: string, body: unknown) =>
    runtime.request(path, { method: 'POST', body: JSON.stringify(body) });
  const ingestHandbook = async (runtime: TestRuntime) => {
    const response = await post(runtime, '/v1/rag/ingest', { collection: 'product_docs', documents: handbook });
    expect(response.status).toBe(200);
    return jsonOf(response);
  };

  it('ingests documents into a collection and answers queries in seed 002 shapes', async () => {
    const { runtime, ollama } = await start(() => ({}));

    const ingested = await ingestHandbook(runtime);
    const queried = await post(runtime, '/v1/rag/query', {
      collection: 'product_docs',
      query: 'How does the model router work?',
    });
    const body = await jsonOf(queried);

    expect(ingested).toEqual({ collection: 'product_docs', documents_ingested: 3, chunks_created: 3 });
    expect(queried.status).toBe(200);
    expect(body.results[0]).toEqual({ text: handbook[0]?.text, score: expect.any(Number), metadata: { page: 3 } });
    // Scores fall from the best; the dog shares no word with the query and scores 0.
    const scores = body.results.map((result: { score: number }) => result.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(scores[0]).toBeGreaterThan(0.3);
    // Embedded by the pipeline's model, through Ollama's /api/embed.
    expect(ollama.requests.map((request) => request.path)).toEqual(['/api/embed', '/api/embed']);
  });

  it('applies top_k and score_threshold, and chunk_size and chunk_overlap', async () => {
    const { runtime } = await start(() => ({}));
    await ingestHandbook(runtime);

    const top1 = await jsonOf(
      await post(runtime, '/v1/rag/query', { collection: 'product_docs', query: 'refunds paid', top_k: 1 }),
    );
    const strict = await jsonOf(
      await post(runtime, '/v1/rag/query', {
        collection: 'product_docs',
        query: 'refunds paid',
        score_threshold: 0.99,
      }),
    );
    const chunked = await jsonOf(
      await post(runtime, '/v1/rag/ingest', {
        collection: 'product_docs',
        documents: [{ text: 'a'.repeat(100) }],
        chunk_size: 40,
        chunk_overlap: 10,
      }),
    );

    expect(top1.results.map((result: { metadata: unknown }) => result.metadata)).toEqual([{ page: 7 }]);
    expect(strict.results).toEqual([]);
    // 100 characters, 40 a chunk, each repeating 10: 0–40, 30–70, 60–100.
    expect(chunked).toMatchObject({ documents_ingested: 1, chunks_created: 3 });
  });

  it.each([
    ['/v1/rag/ingest', { documents: [{ text: 'x' }] }, 'collection'],
    ['/v1/rag/ingest', { collection: 'product_docs', documents: [] }, 'documents'],
    ['/v1/rag/ingest', { collection: 'product_docs', documents: [{ text: '' }] }, 'documents[0].text'],
    [
      '/v1/rag/ingest',
      { collection: 'product_docs', documents: [{ text: 'x' }], chunk_size: 50, chunk_overlap: 50 },
      'chunk_overlap',
    ],
    ['/v1/rag/query', { collection: 'product_docs' }, 'query'],
    ['/v1/rag/query', { collection: 'product_docs', query: 'x', top_k: 0 }, 'top_k'],
    ['/v1/rag/query', { collection: 'semantic:x', query: 'x' }, 'collection'],
  ])('POST %s with %o is a 400 naming %s', async (path, body, field) => {
    const { runtime } = await start(() => ({}));

    const response = await post(runtime, path, body);

    expect(response.status).toBe(400);
    expect(await jsonOf(response)).toMatchObject({
      error: 'invalid_request',
      message: expect.stringMatching(new RegExp(`^${field.replace(/[[\]]/g, '\\$&')}: `)),
    });
  });

  it('answers a collection no pipeline serves with a 404 naming the known ones', async () => {
    const { runtime } = await start(() => ({}));

    const response = await post(runtime, '/v1/rag/query', { collection: 'nope', query: 'x' });

    expect(response.status).toBe(404);
    expect(await jsonOf(response)).toEqual({
      error: 'collection_not_found',
      message: "no RAGPipeline declares the collection 'nope'; known collections: product_docs",
      status: 404,
    });
  });

  it("puts the top_k chunks of an agent's knowledge pipeline into the prompt the model sees", async () => {
    const { runtime, openai } = await start(() => ({
      'helper.yaml': agentYaml('helper', {
        model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } },
        prompts: { system: 'You answer from the handbook.' },
        knowledge: { pipeline: 'product-knowledge', top_k: 1 },
      }),
      'templated.yaml': agentYaml('templated', {
        model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } },
        prompts: { system: 'Handbook extract:\n{{ knowledge }}\nAnswer briefly.' },
        knowledge: { pipeline: 'product-knowledge', top_k: 1 },
      }),
      'plain.yaml': agentYaml('plain', { model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } } }),
    }));
    await ingestHandbook(runtime);

    const run = await post(runtime, '/v1/agents/helper/run', { query: 'When are refunds paid?' });
    const helperMessages = messagesOf(chatRequests(openai).at(-1));
    await post(runtime, '/v1/agents/templated/run', { query: 'When are refunds paid?' });
    const templatedMessages = messagesOf(chatRequests(openai).at(-1));

    const plainRun = await jsonOf(await post(runtime, '/v1/agents/plain/run', { query: 'When are refunds paid?' }));
    const spanNames = async (traceId: string) =>
      (await jsonOf(await runtime.request(`/v1/traces/${traceId}`))).spans.map((span: { name: string }) => span.name);

    expect(run.status).toBe(200);
    // Retrieval is traced for the agent with knowledge; an agent without it retrieves nothing.
    expect(await spanNames((await jsonOf(run)).trace_id)).toContain('rag.retrieve');
    expect(await spanNames(plainRun.trace_id)).not.toContain('rag.retrieve');
    expect(messagesOf(chatRequests(openai).at(-1))).toEqual([{ role: 'user', content: 'When are refunds paid?' }]);
    // The knowledge message follows the system prompt; the OpenAI wire joins consecutive system messages.
    expect(helperMessages).toEqual([
      {
        role: 'system',
        content: `You answer from the handbook.\n\nRelevant knowledge for this question:\n\n${handbook[1]?.text}`,
      },
      { role: 'user', content: 'When are refunds paid?' },
    ]);
    // A prompt that renders {{ knowledge }} places the chunks itself, and gets no extra message.
    expect(templatedMessages).toEqual([
      { role: 'system', content: `Handbook extract:\n${handbook[1]?.text}\nAnswer briefly.` },
      { role: 'user', content: 'When are refunds paid?' },
    ]);
  });

  it("runs rag_ingest and rag_query for real against the agent's pipeline", async () => {
    const { runtime, openai } = await start(() => ({
      'librarian.yaml': agentYaml('librarian', {
        model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } },
        knowledge: { pipeline: 'product-knowledge' },
        tools: [{ name: 'rag_ingest' }, { name: 'rag_query' }],
      }),
    }));
    openai.enqueue(
      fakeReply.toolCall('rag_ingest', {
        document: 'The launch moved to Thursday at noon.',
        metadata: { from: 'chat' },
      }),
      fakeReply.toolCall('rag_query', { query: 'when is the launch', top_k: 1 }),
      fakeReply.text('The launch is on Thursday at noon.'),
    );

    const response = await post(runtime, '/v1/agents/librarian/run', {
      query: 'Remember the launch date, then check it.',
    });
    const body = await jsonOf(response);
    const direct = await jsonOf(
      await post(runtime, '/v1/rag/query', { collection: 'product_docs', query: 'launch Thursday', top_k: 1 }),
    );

    expect(response.status).toBe(200);
    expect(body.tool_calls).toEqual([
      expect.objectContaining({ tool: 'rag_ingest', success: true, output: { ingested: true, chunks: 1 } }),
      expect.objectContaining({
        tool: 'rag_query',
        success: true,
        output: {
          results: [
            { text: 'The launch moved to Thursday at noon.', score: expect.any(Number), metadata: { from: 'chat' } },
          ],
        },
      }),
    ]);
    expect(direct.results[0].text).toBe('The launch moved to Thursday at noon.');
  });

  it('keeps each finished turn of an agent with memory.semantic, searchable by meaning with its session and time', async () => {
    const { runtime, openai } = await start(({ ollama }) => ({
      'rememberer.yaml': agentYaml('rememberer', {
        model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } },
        memory: { semantic: { embeddings: { provider: 'ollama', model: 'nomic-embed-text', endpoint: ollama.url } } },
      }),
      'forgetful.yaml': agentYaml('forgetful', { model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } } }),
    }));
    openai.enqueue(
      fakeReply.text('Kubernetes deployments roll out pods gradually.'),
      fakeReply.text('Biscuit likes carrots.'),
    );
    const before = Date.now();
    await post(runtime, '/v1/agents/rememberer/run', { query: 'How do deployments roll out?', session_id: 's1' });
    await post(runtime, '/v1/agents/rememberer/run', { query: 'What does the dog like?', session_id: 's2' });

    const response = await runtime.request('/v1/memory/rememberer/semantic?query=deployment%20rollout%20pods&top_k=1');
    const body = await jsonOf(response);

    expect(response.status).toBe(200);
    expect(body).toEqual({
      results: [
        {
          text: 'user: How do deployments roll out?\nassistant: Kubernetes deployments roll out pods gradually.',
          score: expect.any(Number),
          metadata: { session_id: 's1', timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) },
        },
      ],
    });
    expect(Date.parse(body.results[0].metadata.timestamp)).toBeGreaterThanOrEqual(before - 1000);
    // top_k defaults to 5: both turns, the better match first.
    const all = await jsonOf(await runtime.request('/v1/memory/rememberer/semantic?query=deployment%20rollout%20pods'));
    expect(all.results.map((result: { metadata: { session_id: string } }) => result.metadata.session_id)).toEqual([
      's1',
      's2',
    ]);
    // An agent without memory.semantic remembers nothing by meaning; an unknown agent is a 404.
    expect(await jsonOf(await runtime.request('/v1/memory/forgetful/semantic?query=anything'))).toEqual({
      results: [],
    });
    expect((await runtime.request('/v1/memory/nobody/semantic?query=anything')).status).toBe(404);
    // GET /v1/agents/{name} says which agent remembers by meaning, as seed 002's example does.
    expect((await jsonOf(await runtime.request('/v1/agents/rememberer'))).memory).toEqual({
      conversational: 'memory',
      semantic: 'sqlite',
    });
    expect((await jsonOf(await runtime.request('/v1/agents/forgetful'))).memory).toEqual({ conversational: 'memory' });
  });

  it("recalls this session's similar memories into the next prompt, and never another session's", async () => {
    const { runtime, openai } = await start(({ ollama }) => ({
      'rememberer.yaml': agentYaml('rememberer', {
        model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } },
        memory: {
          semantic: {
            embeddings: { provider: 'ollama', model: 'nomic-embed-text', endpoint: ollama.url },
            similarity_threshold: 0.2,
          },
        },
      }),
    }));
    openai.enqueue(
      fakeReply.text('Your locker code is 4711.'),
      fakeReply.text('Noted.'),
      fakeReply.text('It is 4711.'),
      fakeReply.text('I do not know.'),
    );
    await post(runtime, '/v1/agents/rememberer/run', { query: 'My locker code is 4711.', session_id: 'alice' });
    await post(runtime, '/v1/agents/rememberer/run', { query: 'Bob here.', session_id: 'bob' });

    await post(runtime, '/v1/agents/rememberer/run', { query: 'What is my locker code?', session_id: 'alice' });
    const alice = JSON.stringify(messagesOf(chatRequests(openai).at(-1)));
    await post(runtime, '/v1/agents/rememberer/run', { query: 'What is my locker code?', session_id: 'bob' });
    const bob = messagesOf(chatRequests(openai).at(-1)).filter((message) => message.role === 'system');

    expect(alice).toContain('Relevant memories of this conversation');
    expect(alice).toContain('Your locker code is 4711.');
    expect(JSON.stringify(bob)).not.toContain('4711');
  });

  it('GET /v1/memory/{agent}/semantic without a query is a 400 naming it', async () => {
    const { runtime } = await start(() => ({}));

    const response = await runtime.request('/v1/memory/anyone/semantic?top_k=3');

    expect(response.status).toBe(400);
    expect((await jsonOf(response)).message).toMatch(/^query: /);
  });

  it('runs an agent without its knowledge when the embedding model is down, and answers the RAG routes with a 502', async () => {
    const openai = await startFakeProvider('openai');
    const deadOllama = await startFakeProvider('ollama');
    await deadOllama.close();
    cleanups.push(() => openai.close());
    const runtime = await startTestRuntime({
      agents: {
        'kb.rag.yaml': pipelineYaml('product-knowledge', deadOllama),
        'helper.yaml': agentYaml('helper', {
          model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } },
          knowledge: { pipeline: 'product-knowledge' },
        }),
      },
      credentials: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: openai.baseUrl },
    });
    cleanups.push(() => runtime.stop());

    const run = await post(runtime, '/v1/agents/helper/run', { query: 'When are refunds paid?' });
    const query = await post(runtime, '/v1/rag/query', { collection: 'product_docs', query: 'refunds' });

    expect(run.status).toBe(200);
    expect(messagesOf(chatRequests(openai).at(-1))).toEqual([{ role: 'user', content: 'When are refunds paid?' }]);
    expect(query.status).toBe(502);
    expect(await jsonOf(query)).toMatchObject({ error: 'embedding_failed', status: 502 });
  });

  it('answers 503 vector_store_unavailable when the data directory cannot hold the store', async () => {
    const _openai = await startFake('openai');
    const ollama = await startFake('ollama');
    // astromeshd refuses to start without a writable data directory; the store's own folder can
    // still be unusable (here a file where rag/ should be), which only its first use finds out.
    const dataDir = mkdtempSync(join(tmpdir(), 'rag-blocked-'));
    writeFileSync(join(dataDir, 'rag'), 'a file where the store folder should be');
    const runtime = await startTestRuntime({
      agents: { 'kb.rag.yaml': pipelineYaml('product-knowledge', ollama) },
      credentials: {},
      dataDir,
    });
    cleanups.push(async () => {
      await runtime.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    const response = await post(runtime, '/v1/rag/ingest', { collection: 'product_docs', documents: handbook });

    expect(response.status).toBe(503);
    expect(await jsonOf(response)).toMatchObject({
      error: 'vector_store_unavailable',
      message: expect.stringContaining('the embedded vector store is unavailable'),
    });
  });

  describe('the upstream-style files in test/fixtures/rag', () => {
    async function startOnFixtures() {
      const [openai, ollama] = await Promise.all([startFake('openai'), startFake('ollama')]);
      // The files name no endpoints: the credentials say where OpenAI and Ollama are.
      const runtime = await startTestRuntime({
        agents: fixtureFiles(),
        credentials: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: openai.baseUrl, OLLAMA_BASE_URL: ollama.url },
      });
      cleanups.push(() => runtime.stop());
      return { runtime, openai, ollama };
    }

    it('load: the agent ready, the pipelines ready, and qdrant refused naming the file, field and supported stores', async () => {
      const { runtime } = await startOnFixtures();

      const agents = await jsonOf(await runtime.request('/v1/agents'));
      const pipelines = await jsonOf(await runtime.request('/v1/rag/pipelines'));

      expect(agents.agents).toEqual([expect.objectContaining({ name: 'knowledge-assistant', status: 'ready' })]);
      expect(pipelines).toEqual({
        pipelines: [
          { name: 'faq', file: 'faq.rag.yaml', collection: 'faq', status: 'ready' },
          {
            name: 'product-knowledge',
            file: 'product-knowledge.rag.yaml',
            collection: 'product_docs',
            status: 'ready',
          },
          {
            name: 'unsupported-store.rag',
            file: 'unsupported-store.rag.yaml',
            status: 'error',
            error:
              'unsupported-store.rag.yaml: spec.vector_store.backend: vector store backend "qdrant" is not supported ' +
              'by this runtime; supported: sqlite (embedded, a file under --data-dir), pgvector (PostgreSQL), chroma or ' +
              'chromadb (a Chroma server)',
          },
        ],
      });
    });

    it('runs knowledge-assistant end to end: retrieved chunks in {{ knowledge }}, the rag tools, semantic memory', async () => {
      const { runtime, openai, ollama } = await startOnFixtures();
      await ingestHandbook(runtime);
      openai.enqueue(
        fakeReply.toolCall('rag_query', { query: 'refund days', top_k: 1 }),
        fakeReply.text('Refunds are paid within 14 days.'),
      );

      const response = await post(runtime, '/v1/agents/knowledge-assistant/run', {
        query: 'How many days until refunds are paid?',
        session_id: 'fixture',
      });
      const body = await jsonOf(response);
      const system = messagesOf(chatRequests(openai)[0])[0];
      const memories = await jsonOf(
        await runtime.request('/v1/memory/knowledge-assistant/semantic?query=refunds%20paid%20days'),
      );

      expect(response.status).toBe(200);
      expect(body.response).toBe('Refunds are paid within 14 days.');
      // Up to top_k 2 from the pipeline's collection, in the system prompt's {{ knowledge }}; the
      // others share no word with the query and fall under retrieval.similarity_threshold 0.1.
      expect(system).toEqual({
        role: 'system',
        content: `You answer questions about the product from its documentation.\nDocumentation extract:\n${handbook[1]?.text}\n`,
      });
      expect(body.tool_calls[0]).toMatchObject({
        tool: 'rag_query',
        success: true,
        output: { results: [{ text: handbook[1]?.text, metadata: { page: 7 } }] },
      });
      expect(memories.results[0]).toMatchObject({
        text: 'user: How many days until refunds are paid?\nassistant: Refunds are paid within 14 days.',
        metadata: { session_id: 'fixture' },
      });
      // Every embedding went to the Ollama of OLLAMA_BASE_URL.
      expect(ollama.requests.length).toBeGreaterThan(0);
      expect(ollama.requests.every((request) => request.path === '/api/embed')).toBe(true);
    });

    it("embeds the faq pipeline through OpenAI's /v1/embeddings", async () => {
      const { runtime, openai } = await startOnFixtures();

      const ingested = await post(runtime, '/v1/rag/ingest', {
        collection: 'faq',
        documents: [{ text: 'Support is open on weekdays. Call us any time.' }],
      });
      const found = await jsonOf(
        await post(runtime, '/v1/rag/query', { collection: 'faq', query: 'support weekdays' }),
      );

      expect(await jsonOf(ingested)).toEqual({ collection: 'faq', documents_ingested: 1, chunks_created: 1 });
      expect(found.results[0].text).toBe('Support is open on weekdays. Call us any time.');
      expect(openai.requests.map((request) => request.path)).toEqual(['/v1/embeddings', '/v1/embeddings']);
    });
  });

  it('the fake embeds as the store expects: a query scores 1 against its own text', () => {
    // Guards the premise of the tests above: retrieval works on the fake's real cosine geometry.
    const vector = fakeEmbedding(handbook[0]?.text ?? '');
    expect(
      vector.reduce((sum, value, i) => sum + value * (fakeEmbedding(handbook[0]?.text ?? '')[i] ?? 0), 0),
    ).toBeCloseTo(1, 10);
  });
});

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/eventually.ts';
import { createAgentCatalog } from '../config/agent-catalog.ts';
import { createRagPipelineCatalog } from './create-rag-pipeline-catalog.ts';

const sections = {
  chunking: '{strategy: sentence, chunk_size: 300, overlap: 30}',
  embeddings: '{provider: ollama, model: nomic-embed-text, endpoint: "http://localhost:11434", dimension: 256}',
  retrieval: '{top_k: 3, similarity_threshold: 0.2}',
};

/** A RAGPipeline file as upstream writes one (config/rag/*.rag.yaml); `spec` adds or replaces sections. */
const pipelineYaml = (name: string, spec: Record<string, string> = {}) =>
  [
    'apiVersion: astromesh/v1',
    'kind: RAGPipeline',
    `metadata: {name: ${name}}`,
    'spec:',
    ...Object.entries({ ...sections, ...spec }).map(([key, value]) => `  ${key}: ${value}`),
  ].join('\n');

const agentYaml = `
apiVersion: astromesh/v1
kind: Agent
metadata: {name: helper}
spec:
  model: {primary: {provider: openai, model: gpt-4o-mini}}
  knowledge: {pipeline: product-knowledge, top_k: 2}
`;

describe('the RAG pipeline catalog', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function startCatalog(files: Record<string, string>) {
    const dir = mkdtempSync(join(tmpdir(), 'rag-pipelines-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const catalog = createRagPipelineCatalog({ dir, log: pino({ level: 'silent' }), rescanIntervalMs: 0 });
    await catalog.start();
    cleanups.push(
      () => catalog.close(),
      () => rmSync(dir, { recursive: true, force: true }),
    );
    return { dir, catalog };
  }

  it('loads kind: RAGPipeline files from the agents directory, with upstream defaults filled in', async () => {
    const { catalog } = await startCatalog({
      'kb.rag.yaml': pipelineYaml('product-knowledge', { vector_store: '{backend: sqlite, collection: product_docs}' }),
      'plain.yaml': pipelineYaml('faq'),
      'helper.yaml': agentYaml,
    });

    expect(catalog.list().map(({ name, error }) => ({ name, error }))).toEqual([
      { name: 'product-knowledge', error: undefined },
      { name: 'faq', error: undefined },
    ]);
    expect(catalog.byCollection('product_docs')?.name).toBe('product-knowledge');
    // No vector_store section: the embedded store, and the pipeline's name as its collection.
    expect(catalog.get('faq')?.collection).toBe('faq');
    expect(catalog.get('faq')?.document.spec).toMatchObject({
      chunking: { strategy: 'sentence', chunk_size: 300, overlap: 30 },
      vector_store: { backend: 'sqlite' },
      retrieval: { top_k: 3, similarity_threshold: 0.2 },
    });
  });

  it('leaves pipeline files out of the agent catalog, which loads the agents beside them', async () => {
    const { dir } = await startCatalog({ 'kb.yaml': pipelineYaml('product-knowledge'), 'helper.yaml': agentYaml });
    const agents = createAgentCatalog({
      dir,
      checks: [],
      log: pino({ level: 'silent' }),
      onChange: () => {},
      rescanIntervalMs: 0,
    });
    await agents.start();
    cleanups.push(() => agents.close());

    expect(agents.list().map(({ name, error }) => ({ name, error }))).toEqual([{ name: 'helper', error: undefined }]);
    expect(agents.get('helper')?.agent?.spec.knowledge).toEqual({ pipeline: 'product-knowledge', top_k: 2 });
  });

  it.each([
    [
      'a vector store backend we do not run (qdrant)',
      { vector_store: '{backend: qdrant, url: "http://qdrant:6333", collection: product_docs}' },
      'kb.yaml: spec.vector_store.backend: vector store backend "qdrant" is not supported by this runtime; supported: sqlite (embedded, a file under --data-dir), pgvector (PostgreSQL), chroma or chromadb (a Chroma server)',
    ],
    [
      'faiss',
      { vector_store: '{backend: faiss}' },
      'kb.yaml: spec.vector_store.backend: vector store backend "faiss" is not supported by this runtime; supported: sqlite',
    ],
    [
      'an in-process Chroma (no server to talk to)',
      { vector_store: '{backend: chroma, persist_directory: ./chroma}' },
      'kb.yaml: spec.vector_store.persist_directory: this runtime talks to a Chroma server: give its host (and port); an in-process Chroma (persist_directory, or neither) is not supported',
    ],
    [
      'chromadb without a host',
      { vector_store: '{backend: chromadb}' },
      'kb.yaml: spec.vector_store.host: this runtime talks to a Chroma server',
    ],
    [
      "another backend's keys",
      { vector_store: '{backend: chroma, host: chroma, dsn: "postgresql://u@db/x"}' },
      'kb.yaml: spec.vector_store.dsn: dsn is not a key of the chroma backend; its keys: host, port, ssl, tenant, database, persist_directory',
    ],
    [
      'a pgvector dsn that is not a PostgreSQL URL',
      { vector_store: '{backend: pgvector, dsn: "mysql://u:secret@db/x"}' },
      'kb.yaml: spec.vector_store.dsn: must be a postgres:// or postgresql:// connection string',
    ],
    [
      'two pgvector connections at once',
      { vector_store: '{backend: pgvector, dsn: "postgresql://db/x", dsn_env: PGVECTOR_URL}' },
      'kb.yaml: spec.vector_store.dsn: give one of dsn, dsn_env and connection',
    ],
    [
      'an in-process embedding model',
      { embeddings: '{provider: sentence_transformer, model: all-MiniLM-L6-v2}' },
      'kb.yaml: spec.embeddings.provider: embeddings provider "sentence_transformer" is not supported; supported: ollama, openai, openai_compat',
    ],
    [
      'the semantic chunker',
      { chunking: '{strategy: semantic}' },
      'kb.yaml: spec.chunking.strategy: chunking strategy "semantic" is not supported; supported: recursive, fixed, sentence',
    ],
    [
      'an overlap as long as the chunk',
      { chunking: '{chunk_size: 50, overlap: 50}' },
      'kb.yaml: spec.chunking.overlap: overlap must be less than chunk_size',
    ],
  ])('refuses %s, naming the file, the field and what is supported', async (_, spec, message) => {
    const { catalog } = await startCatalog({ 'kb.yaml': pipelineYaml('kb', spec) });

    expect(catalog.list()[0]?.error).toContain(message);
    expect(catalog.get('kb')).toBeUndefined();
  });

  it("loads upstream's pgvector and Chroma vector_store keys, without reaching either server at load", async () => {
    const { catalog } = await startCatalog({
      'pg.yaml': pipelineYaml('pg', {
        vector_store:
          '{backend: pgvector, connection: {host: postgres, port: 5432, database: astromesh, user: astromesh, password: astromesh}, collection: product_docs}',
      }),
      'pg-dsn.yaml': pipelineYaml('pg-dsn', {
        vector_store: '{backend: pgvector, dsn_env: PGVECTOR_URL, collection: a}',
      }),
      'chroma.yaml': pipelineYaml('chroma', {
        vector_store: '{backend: chroma, host: chroma, port: 8000, collection: b}',
      }),
      'chromadb.yaml': pipelineYaml('chromadb', { vector_store: '{backend: chromadb, host: chroma, collection: c}' }),
    });

    expect(catalog.list().map(({ name, error }) => ({ name, error }))).toEqual([
      { name: 'chroma', error: undefined },
      { name: 'chromadb', error: undefined },
      { name: 'pg-dsn', error: undefined },
      { name: 'pg', error: undefined },
    ]);
    expect(catalog.get('pg')?.document.spec.vector_store).toEqual({
      backend: 'pgvector',
      connection: { host: 'postgres', port: 5432, database: 'astromesh', user: 'astromesh', password: 'astromesh' },
      collection: 'product_docs',
    });
  });

  it('never echoes a refused connection string, which may hold a password', async () => {
    const { catalog } = await startCatalog({
      'kb.yaml': pipelineYaml('kb', { vector_store: '{backend: pgvector, dsn: "mysql://u:hunter2@db/x"}' }),
    });

    expect(catalog.list()[0]?.error).toContain('spec.vector_store.dsn');
    expect(catalog.list()[0]?.error).not.toContain('hunter2');
  });

  it('refuses a second pipeline for a collection another one serves', async () => {
    const { catalog } = await startCatalog({
      'a.yaml': pipelineYaml('first', { vector_store: '{collection: docs}' }),
      'b.yaml': pipelineYaml('second', { vector_store: '{collection: docs}' }),
    });

    expect(catalog.list()[1]?.error).toBe(
      "b.yaml: spec.vector_store.collection: collection 'docs' is already served by RAG pipeline 'first' (a.yaml)",
    );
  });

  it('warns about what it ignores: unknown keys, and reranking, which it does not do', async () => {
    const { catalog } = await startCatalog({
      'kb.yaml': pipelineYaml('kb', { reranking: '{enabled: true, provider: cross_encoder}', surprise: '1' }),
    });

    expect(catalog.list()[0]?.warnings).toEqual([
      'kb.yaml: spec.reranking.provider: unknown key, ignored (known: enabled)',
      expect.stringMatching(/^kb\.yaml: spec\.surprise: unknown key, ignored/),
      'kb.yaml: spec.reranking.enabled: reranking is not supported by this runtime; results keep their similarity order',
    ]);
    expect(catalog.get('kb')).toBeDefined();
  });

  it('follows a changed file without a restart', async () => {
    const { dir, catalog } = await startCatalog({ 'kb.yaml': pipelineYaml('kb') });

    writeFileSync(join(dir, 'kb.yaml'), pipelineYaml('kb', { vector_store: '{collection: renamed}' }));

    await eventually(() => expect(catalog.get('kb')?.collection).toBe('renamed'));
  });
});

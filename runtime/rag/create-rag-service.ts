import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { EmbeddingsSpec, MemorySpec } from '../config/agent-schema.ts';
import type { CredentialsLookup } from '../config/credentials-lookup.ts';
import { RuntimeError } from '../runtime-error.ts';
import { chunkText } from './chunk-text.ts';
import { createEmbedder, type Embedder } from './create-embedder.ts';
import type { RagPipelineCatalog } from './create-rag-pipeline-catalog.ts';
import { createSqliteVectorStore } from './create-sqlite-vector-store.ts';
import { type PipelineStoreTarget, pipelineStoreTarget } from './open-pipeline-vector-store.ts';
import { CollectionNotFound } from './rag-errors.ts';
import type { RagPipeline } from './rag-pipeline-schema.ts';
import { semanticMemoryStoreTarget } from './semantic-memory-store-target.ts';
import type { VectorStore } from './vector-store.ts';

export interface RagDocument {
  text: string;
  metadata?: Record<string, unknown>;
}

/** One retrieved chunk, as seed 002's /v1/rag/query and /v1/memory/{agent}/semantic answer it. */
export interface RagResult {
  text: string;
  score: number;
  metadata: Record<string, unknown>;
}

/** A pipeline as an agent uses it: its knowledge section and the rag_query/rag_ingest tools. */
export interface KnowledgeBase {
  pipeline: string;
  query(query: string, options: { topK?: number; signal?: AbortSignal }): Promise<RagResult[]>;
  ingest(document: RagDocument, signal?: AbortSignal): Promise<{ chunks: number }>;
}

/** An agent's memory.semantic: each finished turn, embedded, searched by similarity. */
export interface SemanticMemory {
  remember(entry: { sessionId: string; text: string; at: Date }, signal?: AbortSignal): Promise<void>;
  search(
    query: string,
    options: { topK: number; scoreThreshold?: number; sessionId?: string; signal?: AbortSignal },
  ): Promise<RagResult[]>;
}

/** The embedded store could not be opened (a data directory it cannot write); the next call tries again. */
export class VectorStoreUnavailable extends RuntimeError {
  constructor(reason: string, options: { cause?: unknown } = {}) {
    super('vector_store_unavailable', 503, `the embedded vector store is unavailable: ${reason}`, options);
  }
}

// One call of an embedding model takes at most this many texts; bigger ingests make several.
const embedBatchSize = 256;

/**
 * RAG and semantic memory over one vector store: ingest chunks and embeds documents into a
 * pipeline's collection, query embeds the question and ranks the collection's chunks. A
 * collection is served by the RAGPipeline that names it (vector_store.collection, else its
 * metadata.name), whose chunking strategy and embedding model apply. The default store is
 * a SQLite file under the data directory, opened at first use.
 */
export function createRagService(deps: {
  pipelines: Pick<RagPipelineCatalog, 'get' | 'byCollection' | 'collections'>;
  credentials: CredentialsLookup;
  log: Logger;
  /** The runtime's data directory: the embedded store's file is `<dataDir>/rag/vectors.sqlite`. */
  dataDir: string;
  /** A store of the caller's (tests, other backends); otherwise the embedded one under dataDir. */
  store?: VectorStore;
}) {
  let store = deps.store;

  function vectors(): VectorStore {
    if (store) return store;
    const file = join(deps.dataDir, 'rag', 'vectors.sqlite');
    try {
      store = createSqliteVectorStore({ file });
    } catch (err) {
      throw new VectorStoreUnavailable(err instanceof Error ? err.message : String(err), { cause: err });
    }
    return store;
  }

  // Server-backed stores (pgvector, Chroma) by target, opened at a pipeline's first use and
  // shared by the pipelines pointing at the same database or server.
  const serverStores = new Map<string, VectorStore>();
  function vectorsOf(pipeline: RagPipeline): VectorStore {
    return vectorsAt(pipelineStoreTarget(pipeline.name, pipeline.document.spec.vector_store, deps.credentials));
  }
  function vectorsAt(target: PipelineStoreTarget | undefined): VectorStore {
    if (!target) return vectors();
    let opened = serverStores.get(target.key);
    if (!opened) {
      opened = target.open();
      serverStores.set(target.key, opened);
    }
    return opened;
  }

  function pipelineFor(collection: string): RagPipeline {
    const pipeline = deps.pipelines.byCollection(collection);
    if (!pipeline) throw new CollectionNotFound(collection, deps.pipelines.collections());
    return pipeline;
  }

  // One embedder per loaded pipeline version (a changed file is a new RagPipeline, so its new
  // embeddings block gets a new embedder), built at its first use and kept.
  const pipelineEmbedders = new WeakMap<RagPipeline, Embedder>();
  function embedderOf(pipeline: RagPipeline): Embedder {
    let embedder = pipelineEmbedders.get(pipeline);
    if (!embedder) {
      embedder = createEmbedder(pipeline.document.spec.embeddings, deps.credentials);
      pipelineEmbedders.set(pipeline, embedder);
    }
    return embedder;
  }

  async function embed(embedder: Embedder, texts: string[], signal?: AbortSignal): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += embedBatchSize) {
      vectors.push(...(await embedder.embed(texts.slice(start, start + embedBatchSize), signal)));
    }
    return vectors;
  }

  async function ingestInto(
    pipeline: RagPipeline,
    documents: readonly RagDocument[],
    sizes: { chunkSize: number; chunkOverlap: number },
    signal?: AbortSignal,
  ): Promise<number> {
    const { chunking } = pipeline.document.spec;
    const chunks = documents.flatMap((document) => {
      const metadata = document.metadata ?? {};
      // Ids from the document's content: ingesting the same document again replaces its chunks.
      const documentId = createHash('sha256')
        .update(JSON.stringify([document.text, metadata, sizes]))
        .digest('hex')
        .slice(0, 24);
      return chunkText(document.text, {
        strategy: chunking.strategy,
        chunkSize: sizes.chunkSize,
        overlap: sizes.chunkOverlap,
        separators: chunking.separators,
      }).map((text, index) => ({ id: `${documentId}:${index}`, text, metadata }));
    });
    const embedded = await embed(
      embedderOf(pipeline),
      chunks.map((chunk) => chunk.text),
      signal,
    );
    await vectorsOf(pipeline).upsert(
      pipeline.collection,
      chunks.map((chunk, index) => ({ ...chunk, embedding: embedded[index] ?? [] })),
    );
    return chunks.length;
  }

  async function queryIn(
    pipeline: RagPipeline,
    query: string,
    options: { topK: number; scoreThreshold: number },
    signal?: AbortSignal,
  ): Promise<RagResult[]> {
    const [vector] = await embed(embedderOf(pipeline), [query], signal);
    const found = await vectorsOf(pipeline).query(pipeline.collection, vector ?? [], options);
    return found.map(({ text, score, metadata }) => ({ text, score, metadata }));
  }

  return {
    /** POST /v1/rag/ingest. */
    async ingest(
      collection: string,
      documents: readonly RagDocument[],
      sizes: { chunkSize: number; chunkOverlap: number },
      signal?: AbortSignal,
    ) {
      const chunks = await ingestInto(pipelineFor(collection), documents, sizes, signal);
      return { collection, documents_ingested: documents.length, chunks_created: chunks };
    },

    /** POST /v1/rag/query. */
    async query(
      collection: string,
      query: string,
      options: { topK: number; scoreThreshold: number },
      signal?: AbortSignal,
    ): Promise<RagResult[]> {
      return queryIn(pipelineFor(collection), query, options, signal);
    },

    /**
     * The pipeline an agent's knowledge names, looked up at each use so a changed or late file
     * applies at once; undefined while no loaded pipeline has that name.
     */
    knowledge(pipelineName: string): KnowledgeBase | undefined {
      const pipeline = deps.pipelines.get(pipelineName);
      if (!pipeline) return undefined;
      const { chunking, retrieval } = pipeline.document.spec;
      return {
        pipeline: pipeline.name,
        query: (query, options) =>
          queryIn(
            pipeline,
            query,
            { topK: options.topK ?? retrieval.top_k, scoreThreshold: retrieval.similarity_threshold },
            options.signal,
          ),
        async ingest(document, signal) {
          const sizes = { chunkSize: chunking.chunk_size, chunkOverlap: chunking.overlap };
          return { chunks: await ingestInto(pipeline, [document], sizes, signal) };
        },
      };
    },

    /** An agent's semantic memory, in a collection of its own (`semantic:<agent>`). */
    semanticMemory(
      agent: string,
      spec: NonNullable<MemorySpec['semantic']> & { embeddings: EmbeddingsSpec },
    ): SemanticMemory {
      const collection = `semantic:${agent}`;
      // Upstream's memory.semantic.dimension is the vector size: checked as embeddings.dimension is.
      const embedder = createEmbedder(
        { ...spec.embeddings, dimension: spec.embeddings.dimension ?? spec.dimension },
        deps.credentials,
      );
      // Looked up at each use, so a credential set after load (url_env) applies at once.
      const store = () => vectorsAt(semanticMemoryStoreTarget(agent, spec, deps.credentials));
      return {
        async remember({ sessionId, text, at }, signal) {
          const [vector] = await embed(embedder, [text], signal);
          const id = createHash('sha256').update(`${sessionId}\u0000${at.toISOString()}\u0000${text}`).digest('hex');
          await store().upsert(collection, [
            { id, text, metadata: { session_id: sessionId, timestamp: at.toISOString() }, embedding: vector ?? [] },
          ]);
        },
        async search(query, options) {
          const [vector] = await embed(embedder, [query], options.signal);
          const found = await store().query(collection, vector ?? [], {
            topK: options.topK,
            scoreThreshold: options.scoreThreshold,
            filter: options.sessionId === undefined ? undefined : { session_id: options.sessionId },
          });
          return found.map(({ text, score, metadata }) => ({ text, score, metadata }));
        },
      };
    },

    async close(): Promise<void> {
      await Promise.all([store?.close(), ...[...serverStores.values()].map((opened) => opened.close())]);
      serverStores.clear();
    },
  };
}
export type RagService = ReturnType<typeof createRagService>;

import { z } from 'zod';
import { AgentId, EmbeddingsSpec } from '../config/agent-schema.ts';
import { chunkingStrategies } from './chunk-text.ts';

/**
 * A collection's name: what /v1/rag/* and a pipeline's vector_store.collection say. No ':', so
 * the runtime's own collections (an agent's semantic memory: `semantic:<agent>`) never clash.
 */
export const CollectionName = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be letters, digits, "_", "." or "-", starting with a letter or digit');

// The vector stores a pipeline can name: the embedded one, and upstream's pgvector and Chroma
// (upstream's RAG calls it `chroma`, its semantic memory `chromadb`: both are accepted).
export const ragVectorStoreBackends = ['sqlite', 'pgvector', 'chroma', 'chromadb'] as const;
const supportedBackends =
  'sqlite (embedded, a file under --data-dir), pgvector (PostgreSQL), chroma or chromadb (a Chroma server)';
const EnvName = z
  .string()
  .max(128)
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be an environment variable name');

/**
 * A pipeline's vector_store, with upstream's keys: pgvector's `dsn` or `connection` block (the
 * connection string may instead come from a credential named by `dsn_env`, so no password needs
 * to live in YAML), Chroma's `host` and `port`. `collection` names the collection in any backend.
 */
export const RagVectorStoreSpec = z
  .object({
    backend: z
      .enum(ragVectorStoreBackends, {
        error: (issue) =>
          `vector store backend ${JSON.stringify(issue.input)} is not supported by this runtime; supported: ${supportedBackends}`,
      })
      .default('sqlite'),
    collection: CollectionName.optional().describe('Unset: the pipeline’s metadata.name.'),
    dsn: z
      .string()
      .max(2048)
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// connection string')
      .optional()
      .describe('pgvector: the PostgreSQL connection string.'),
    dsn_env: EnvName.optional().describe('pgvector: the credential holding the connection string.'),
    connection: z
      .object({
        host: z.string().min(1).max(253).optional(),
        port: z.int().min(1).max(65_535).optional(),
        database: z.string().min(1).max(63).optional(),
        user: z.string().min(1).max(63).optional(),
        password: z.string().max(1024).optional(),
      })
      .optional()
      .describe('pgvector: upstream’s connection block (defaults localhost:5432, astromesh/astromesh/astromesh).'),
    host: z.string().min(1).max(253).optional().describe('chroma: the Chroma server’s host.'),
    port: z.int().min(1).max(65_535).optional().describe('chroma: its port (default 8000).'),
    ssl: z.boolean().optional().describe('chroma: https instead of http.'),
    tenant: z.string().min(1).max(128).optional().describe('chroma: default_tenant unless set.'),
    database: z.string().min(1).max(128).optional().describe('chroma: default_database unless set.'),
    persist_directory: z.string().max(4096).optional().describe('chroma: an in-process Chroma; refused here.'),
  })
  .superRefine((store, context) => {
    const keysOf: Record<string, readonly string[]> = {
      sqlite: [],
      pgvector: ['dsn', 'dsn_env', 'connection'],
      chroma: ['host', 'port', 'ssl', 'tenant', 'database', 'persist_directory'],
      chromadb: ['host', 'port', 'ssl', 'tenant', 'database', 'persist_directory'],
    };
    const own = keysOf[store.backend] ?? [];
    for (const key of [
      'dsn',
      'dsn_env',
      'connection',
      'host',
      'port',
      'ssl',
      'tenant',
      'database',
      'persist_directory',
    ]) {
      if (store[key as keyof typeof store] !== undefined && !own.includes(key)) {
        context.addIssue({
          code: 'custom',
          path: [key],
          message: `${key} is not a key of the ${store.backend} backend; its keys: ${own.join(', ') || 'none but collection'}`,
        });
      }
    }
    if (store.backend === 'pgvector' && [store.dsn, store.dsn_env, store.connection].filter(Boolean).length > 1) {
      context.addIssue({ code: 'custom', path: ['dsn'], message: 'give one of dsn, dsn_env and connection' });
    }
    if ((store.backend === 'chroma' || store.backend === 'chromadb') && store.host === undefined) {
      context.addIssue({
        code: 'custom',
        path: [store.persist_directory === undefined ? 'host' : 'persist_directory'],
        message:
          'this runtime talks to a Chroma server: give its host (and port); an in-process Chroma (persist_directory, or neither) is not supported',
      });
    }
  });
export type RagVectorStoreSpec = z.infer<typeof RagVectorStoreSpec>;

/**
 * Upstream's `kind: RAGPipeline` document (astromesh/rag/loader.py, config/rag/*.rag.yaml): how a
 * collection is chunked, embedded, stored and retrieved. Here it lives beside the agent files.
 */
export const RagPipelineDocument = z.object({
  // astromech/v1: upstream's name before its rename, as agent files may say it.
  apiVersion: z.enum(['astromesh/v1', 'astromech/v1']),
  kind: z.literal('RAGPipeline'),
  metadata: z.object({ name: AgentId, version: z.string().max(64).optional() }),
  spec: z.object({
    chunking: z
      .object({
        strategy: z
          .enum(chunkingStrategies, {
            error: (issue) =>
              `chunking strategy ${JSON.stringify(issue.input)} is not supported; supported: ${chunkingStrategies.join(', ')}`,
          })
          .default('recursive'),
        chunk_size: z.int().min(1).max(100_000).default(512),
        overlap: z.int().min(0).max(99_999).default(50),
        separators: z.array(z.string().min(1).max(16)).min(1).max(16).optional(),
      })
      .refine((chunking) => chunking.overlap < chunking.chunk_size, {
        message: 'overlap must be less than chunk_size',
        path: ['overlap'],
      })
      .default({ strategy: 'recursive', chunk_size: 512, overlap: 50 }),
    embeddings: EmbeddingsSpec,
    vector_store: RagVectorStoreSpec.default({ backend: 'sqlite' }),
    // Upstream reranks with an in-process cross-encoder or Cohere; not here yet (a warning says so).
    reranking: z.object({ enabled: z.boolean().optional() }).optional(),
    retrieval: z
      .object({
        top_k: z.int().min(1).max(50).default(5),
        similarity_threshold: z.number().min(-1).max(1).default(0),
      })
      .default({ top_k: 5, similarity_threshold: 0 }),
  }),
});
export type RagPipelineDocument = z.infer<typeof RagPipelineDocument>;

/** A loaded pipeline: its document and the collection it serves. */
export interface RagPipeline {
  name: string;
  collection: string;
  document: RagPipelineDocument;
}

/** Whether a YAML file is a RAGPipeline document (the agent catalog leaves those to the pipeline catalog). */
export function isRagPipelineYaml(text: string): boolean {
  return /^kind:[ \t]*["']?RAGPipeline["']?[ \t]*(#.*)?$/m.test(text);
}

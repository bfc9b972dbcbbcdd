import { z } from 'zod';
import { AgentId, EmbeddingsSpec, VectorStoreBackend } from '../config/agent-schema.ts';
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

/**
 * Upstream's `kind: RAGPipeline` document (astromesh/rag/loader.py, config/rag/*.rag.yaml): how a
 * collection is chunked, embedded, stored and retrieved. Here it lives beside the agent files.
 */
export const RagPipelineDocument = z.object({
  apiVersion: z.literal('astromesh/v1'),
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
    vector_store: z
      .object({
        backend: VectorStoreBackend.default('sqlite'),
        collection: CollectionName.optional().describe('Unset: the pipeline’s metadata.name.'),
      })
      .default({ backend: 'sqlite' }),
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

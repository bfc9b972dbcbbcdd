import { createPgvectorStore } from './create-pgvector-store.ts';
import type { PipelineStoreTarget } from './open-pipeline-vector-store.ts';

/**
 * The pgvector store at one connection string. The key is what makes RAG pipelines and semantic
 * memories on the same database share one pool; the connection string is never logged.
 */
export function pgvectorStoreTarget(connectionString: string): PipelineStoreTarget {
  return {
    key: `pgvector\u0000${connectionString}`,
    open: () => createPgvectorStore({ connectionString }),
  };
}

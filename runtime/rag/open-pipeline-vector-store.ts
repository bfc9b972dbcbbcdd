import type { CredentialsLookup } from '../config/credentials-lookup.ts';
import { RuntimeError } from '../runtime-error.ts';
import { chromaStoreTarget } from './chroma-store-target.ts';
import { pgvectorStoreTarget } from './pgvector-store-target.ts';
import type { RagVectorStoreSpec } from './rag-pipeline-schema.ts';
import type { VectorStore } from './vector-store.ts';

/** A server-backed store whose connection cannot be made from the pipeline (a credential not set). */
export class VectorStoreNotConfigured extends RuntimeError {
  constructor(pipeline: string, reason: string) {
    super('vector_store_unavailable', 503, `pipeline '${pipeline}': ${reason}`);
  }
}

export interface PipelineStoreTarget {
  /** Stores are shared by pipelines with the same target: one pool per database or server. */
  key: string;
  open(): VectorStore;
}

/**
 * Where a pipeline's vector_store points, for a server-backed backend (pgvector, chroma); the
 * embedded sqlite store is the RAG service's own. pgvector's connection string comes from `dsn`,
 * the credential `dsn_env` names, or upstream's `connection` block with upstream's defaults;
 * it is never logged or put in an error message.
 */
export function pipelineStoreTarget(
  pipeline: string,
  spec: RagVectorStoreSpec,
  credentials: CredentialsLookup,
): PipelineStoreTarget | undefined {
  if (spec.backend === 'pgvector') {
    let connectionString = spec.dsn;
    if (spec.dsn_env !== undefined) {
      connectionString = credentials(spec.dsn_env);
      if (!connectionString) {
        throw new VectorStoreNotConfigured(
          pipeline,
          `the credential ${spec.dsn_env} (vector_store.dsn_env) holding the pgvector connection string is not set`,
        );
      }
    }
    if (connectionString === undefined) {
      const c = spec.connection ?? {};
      const url = new URL('postgresql://localhost');
      url.hostname = c.host ?? 'localhost';
      url.port = String(c.port ?? 5432);
      url.username = encodeURIComponent(c.user ?? 'astromesh');
      url.password = encodeURIComponent(c.password ?? 'astromesh');
      url.pathname = `/${encodeURIComponent(c.database ?? 'astromesh')}`;
      connectionString = url.toString();
    }
    return pgvectorStoreTarget(connectionString);
  }
  // The schema requires a host for chroma; the check keeps this total for the type checker.
  if ((spec.backend === 'chroma' || spec.backend === 'chromadb') && spec.host !== undefined) {
    return chromaStoreTarget({ ...spec, host: spec.host });
  }
  return undefined;
}

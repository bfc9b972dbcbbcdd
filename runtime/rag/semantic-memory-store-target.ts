import type { MemorySpec } from '../config/agent-schema.ts';
import type { CredentialsLookup } from '../config/credentials-lookup.ts';
import { RuntimeError } from '../runtime-error.ts';
import { chromaStoreTarget } from './chroma-store-target.ts';
import type { PipelineStoreTarget } from './open-pipeline-vector-store.ts';
import { pgvectorStoreTarget } from './pgvector-store-target.ts';

/** A semantic memory on pgvector whose connection-string credential is not set. */
export class SemanticStoreNotConfigured extends RuntimeError {
  constructor(agent: string, reason: string) {
    super('vector_store_unavailable', 503, `agent '${agent}' memory.semantic: ${reason}`);
  }
}

/**
 * Where an agent's memory.semantic keeps its vectors, for a server-backed store; undefined means
 * the embedded store. pgvector is upstream's `connection.url`, or the credential `connection.url_env`
 * names (so the password need not live in YAML); it is never logged or put in an error message.
 * chromadb/chroma with a `host` is that Chroma server; without one, upstream runs Chroma in-process,
 * and the in-process store here is the embedded one. Targets share the RAG pipelines' keys, so a
 * pipeline and a memory on one database or server share one pool.
 */
export function semanticMemoryStoreTarget(
  agent: string,
  spec: NonNullable<MemorySpec['semantic']>,
  credentials: CredentialsLookup,
): PipelineStoreTarget | undefined {
  if (spec.backend === 'pgvector') {
    let dsn = spec.connection?.url;
    const env = spec.connection?.url_env;
    if (env !== undefined) {
      dsn = credentials(env);
      if (!dsn) {
        throw new SemanticStoreNotConfigured(
          agent,
          `the credential ${env} (memory.semantic.connection.url_env) holding the pgvector connection string is not set`,
        );
      }
    }
    if (dsn === undefined) return undefined; // the schema requires one; kept total for the type checker
    return pgvectorStoreTarget(dsn);
  }
  if ((spec.backend === 'chromadb' || spec.backend === 'chroma') && spec.host !== undefined) {
    return chromaStoreTarget({ ...spec, host: spec.host });
  }
  return undefined;
}

import { createChromaStore } from './create-chroma-store.ts';
import type { PipelineStoreTarget } from './open-pipeline-vector-store.ts';

/**
 * The Chroma server at host:port (upstream's defaults: port 8000, default_tenant,
 * default_database), as RAG pipelines and semantic memories name it; an IPv6 host is bracketed.
 * Targets with the same server, tenant and database share one key, so one client.
 */
export function chromaStoreTarget(spec: {
  host: string;
  port?: number | undefined;
  ssl?: boolean | undefined;
  tenant?: string | undefined;
  database?: string | undefined;
}): PipelineStoreTarget {
  const host = spec.host.includes(':') ? `[${spec.host}]` : spec.host;
  const url = `${spec.ssl ? 'https' : 'http'}://${host}:${spec.port ?? 8000}`;
  const tenant = spec.tenant ?? 'default_tenant';
  const database = spec.database ?? 'default_database';
  return {
    key: `chroma\u0000${url}\u0000${tenant}\u0000${database}`,
    open: () => createChromaStore({ url, tenant, database }),
  };
}

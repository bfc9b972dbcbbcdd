import type { RequestOptions } from 'node:https';

/**
 * What the operator needs of a kubeconfig: where the API server is, and the TLS settings and
 * credentials of one request. client-node's `KubeConfig` has this shape (tests pass one); the
 * operator process itself uses `loadKubeAccess`, which does not load client-node at all.
 */
export interface KubeAccess {
  getCurrentCluster(): { server: string } | null;
  /** Sets the request's CA, client certificate, TLS options and Authorization header. */
  applyToHTTPSOptions(options: RequestOptions): Promise<void>;
}

import { HttpMethod, type KubeConfig, RequestContext } from '@kubernetes/client-node';
import { fetch, type Response } from 'undici';
import { kubeApiErrorFromStatus } from './kube-api-error.ts';

export interface KubeGetRequest {
  kubeConfig: KubeConfig;
  /** The path below the server URL, e.g. `/api/v1/namespaces/team-a/configmaps`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  signal?: AbortSignal;
}

/**
 * Sends one authenticated GET to the API server, with the credentials and TLS settings of
 * `kubeConfig` exactly as client-node's own calls use them, and hands a 2xx response to `read`.
 * Any other status becomes a `KubeApiError` carrying the server's Status. We need the raw
 * response (client-node's typed calls buffer it) to stream watches and to abort any request.
 */
export async function getFromKube<T>(request: KubeGetRequest, read: (response: Response) => Promise<T>): Promise<T> {
  const cluster = request.kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(cluster.server + request.path);
  for (const [name, value] of Object.entries(request.query ?? {})) {
    if (value !== undefined) url.searchParams.set(name, String(value));
  }
  const context = new RequestContext(url.toString(), HttpMethod.GET);
  context.setHeaderParam('Accept', 'application/json');
  await request.kubeConfig.applySecurityAuthentication(context);
  const dispatcher = context.getDispatcher();
  try {
    const response = await fetch(url, { headers: context.getHeaders(), dispatcher, signal: request.signal });
    if (!response.ok) throw kubeApiErrorFromStatus(await readStatus(response), response.status);
    return await read(response);
  } finally {
    // client-node makes a connection pool per request; close ours rather than leave its socket idle.
    await dispatcher?.destroy().catch(() => {});
  }
}

/** A GET whose JSON answer is returned as `T` (not validated: the API server's schema is the contract). */
export function getKubeJson<T>(request: KubeGetRequest): Promise<T> {
  return getFromKube(request, async (response) => (await response.json()) as T);
}

async function readStatus(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => '');
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.trim() || `the API server answered ${response.status} ${response.statusText}` };
  }
}

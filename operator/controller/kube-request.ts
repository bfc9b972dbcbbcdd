import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeAccess } from '../kube/kube-access.ts';
import { kubeApiErrorFromStatus } from './kube-api-error.ts';

export interface KubeGetRequest {
  kubeConfig: KubeAccess;
  /** The path below the server URL, e.g. `/api/v1/namespaces/team-a/configmaps`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  signal?: AbortSignal;
}

/**
 * Sends one authenticated GET to the API server, with the credentials and TLS settings of
 * `kubeConfig`, and hands a 2xx response to `read`. Any other status becomes a `KubeApiError`
 * carrying the server's Status. We need the raw response to stream watches and to abort any
 * request. Each GET has a connection of its own (lists and watches are few and a watch holds
 * its connection for minutes), closed when `read` is done.
 */
export async function getFromKube<T>(
  request: KubeGetRequest,
  read: (response: IncomingMessage) => Promise<T>,
): Promise<T> {
  const cluster = request.kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(cluster.server + request.path);
  for (const [name, value] of Object.entries(request.query ?? {})) {
    if (value !== undefined) url.searchParams.set(name, String(value));
  }
  const options: RequestOptions = {
    method: 'GET',
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port || (url.protocol === 'http:' ? 80 : 443)),
    path: `${url.pathname}${url.search}`,
    headers: { accept: 'application/json' },
    signal: request.signal,
  };
  await request.kubeConfig.applyToHTTPSOptions(options);
  options.agent = false;
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    // Plain http only where a kubeconfig says so (a local proxy, a test's fake server).
    const req = (url.protocol === 'http:' ? httpRequest : httpsRequest)(options, resolve);
    req.on('error', reject);
    req.end();
  });
  try {
    const status = response.statusCode ?? 0;
    if (status < 200 || status >= 300) throw kubeApiErrorFromStatus(parseStatus(await readText(response)), status);
    return await read(response);
  } finally {
    response.destroy();
  }
}

/** A GET whose JSON answer is returned as `T` (not validated: the API server's schema is the contract). */
export function getKubeJson<T>(request: KubeGetRequest): Promise<T> {
  return getFromKube(request, async (response) => JSON.parse(await readText(response)) as T);
}

async function readText(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseStatus(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text.trim() || 'the API server answered without a Status' };
  }
}

import { Agent, type RequestOptions, request } from 'node:https';
import type { KubernetesObject } from '@kubernetes/client-node';
import { KubeApiError, kubeApiErrorFromStatus } from '../controller/kube-api-error.ts';
import type { KubeAccess } from './kube-access.ts';

export { KubeApiError };

export const isNotFound = (err: unknown) => err instanceof KubeApiError && err.statusCode === 404;
export const isConflict = (err: unknown) => err instanceof KubeApiError && err.statusCode === 409;

export type JsonPatchOperation =
  | { op: 'test' | 'add' | 'replace'; path: string; value: unknown }
  | { op: 'remove'; path: string };

export interface KubeRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

/**
 * The few Kubernetes API calls the operator makes, on wire-format objects. client-node's typed
 * clients rename fields through their serializer (LimitRange's `default` becomes `_default`, and
 * a wire-format object loses it); server-side apply needs exactly the object we built.
 */
export function createKubeClient(kubeConfig: KubeAccess) {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const server = new URL(cluster.server);
  const agent = new Agent({ keepAlive: true, maxSockets: 32 });

  async function call<T>(input: KubeRequest): Promise<T> {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(input.query ?? {})) {
      if (value !== undefined) query.set(key, String(value));
    }
    const path = `${server.pathname.replace(/\/$/, '')}${input.path}${query.size > 0 ? `?${query}` : ''}`;
    const options: RequestOptions = {
      method: input.method,
      hostname: server.hostname,
      port: Number(server.port || 443),
      path,
      agent,
      headers: { accept: 'application/json' },
      signal: input.signal,
    };
    await kubeConfig.applyToHTTPSOptions(options);
    // client-node sets a new Agent on every call: one TLS handshake (and secure context) per
    // request. Ours keeps connections alive; the request's own ca/cert/key still key its pool.
    options.agent = agent;
    const payload = input.body === undefined ? undefined : JSON.stringify(input.body);
    if (payload !== undefined) {
      options.headers = {
        ...options.headers,
        'content-type': input.contentType ?? 'application/json',
        'content-length': Buffer.byteLength(payload),
      };
    }
    const { statusCode, body } = await new Promise<{ statusCode: number; body: string }>((resolve, reject) => {
      const req = request(options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(payload);
    });
    if (statusCode < 200 || statusCode >= 300) {
      const error = kubeApiErrorFromStatus(parseJson(body), statusCode);
      error.message = `${input.method} ${input.path}: ${statusCode} ${error.message}`;
      throw error;
    }
    return (body ? JSON.parse(body) : undefined) as T;
  }

  return {
    call,
    /** Server-side apply: the object as the operator wants it, owned by `fieldManager`. */
    apply: <T extends KubernetesObject>(input: {
      path: string;
      object: T;
      fieldManager: string;
      dryRun?: boolean;
    }): Promise<T> =>
      call<T>({
        method: 'PATCH',
        path: input.path,
        query: { fieldManager: input.fieldManager, force: true, dryRun: input.dryRun ? 'All' : undefined },
        body: input.object,
        contentType: 'application/apply-patch+yaml',
      }),
    mergePatch: <T>(path: string, patch: unknown): Promise<T> =>
      call<T>({ method: 'PATCH', path, body: patch, contentType: 'application/merge-patch+json' }),
    /** RFC 6902 operations; a failed `test` makes the API server refuse all of them (422). */
    jsonPatch: <T>(path: string, operations: JsonPatchOperation[]): Promise<T> =>
      call<T>({ method: 'PATCH', path, body: operations, contentType: 'application/json-patch+json' }),
    close: () => agent.destroy(),
  };
}
export type KubeClient = ReturnType<typeof createKubeClient>;

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return { message: body.slice(0, 300) };
  }
}

import { ApiException } from '@kubernetes/client-node';

/** The HTTP status of a failed Kubernetes API call; undefined for anything else (a network error). */
export function kubeStatusOf(err: unknown): number | undefined {
  return err instanceof ApiException ? err.code : undefined;
}

/**
 * What the API server said, in one line: its Status message ("cloudagents.astromesh.io \"bot\"
 * is forbidden: …") rather than client-node's multi-line dump of the whole response.
 */
export function kubeErrorMessage(err: unknown): string {
  if (!(err instanceof ApiException)) return (err as Error)?.message ?? String(err);
  const body = parseBody(err.body);
  const message = typeof body?.message === 'string' ? body.message : undefined;
  return `the Kubernetes API answered ${err.code}${message ? `: ${message}` : ''}`;
}

function parseBody(body: unknown): { message?: unknown } | undefined {
  if (typeof body === 'object' && body !== null) return body as { message?: unknown };
  if (typeof body !== 'string') return undefined;
  try {
    return JSON.parse(body) as { message?: unknown };
  } catch {
    return undefined;
  }
}

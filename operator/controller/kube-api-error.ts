/** A non-2xx answer from the API server, or an ERROR event in a watch, with the Status it carried. */
export class KubeApiError extends Error {
  override readonly name = 'KubeApiError';
  /** The HTTP status code (for a watch ERROR event: the Status's `code`). */
  readonly statusCode: number;
  /** The Status's machine-readable reason (`Expired`, `Gone`, `Forbidden`…), when it had one. */
  readonly reason: string | undefined;

  constructor(options: { statusCode: number; reason?: string; message: string }) {
    super(options.message);
    this.statusCode = options.statusCode;
    this.reason = options.reason;
  }
}

/** Builds the error a `metav1.Status` describes; `statusCode` stands in when the Status has no code. */
export function kubeApiErrorFromStatus(status: unknown, statusCode: number): KubeApiError {
  const fields = typeof status === 'object' && status !== null ? (status as Record<string, unknown>) : {};
  return new KubeApiError({
    statusCode: typeof fields.code === 'number' ? fields.code : statusCode,
    reason: typeof fields.reason === 'string' ? fields.reason : undefined,
    message: typeof fields.message === 'string' ? fields.message : `the API server answered ${statusCode}`,
  });
}

/**
 * Whether the server can no longer serve from the resource version we hold (410 Gone, reason
 * Expired, "too old resource version"), or does not know it yet (after an etcd restore): either
 * way only a fresh list recovers, and watching again from the same version would fail forever.
 */
export function isResourceVersionUnusable(err: unknown): boolean {
  if (!(err instanceof KubeApiError)) return false;
  return (
    err.statusCode === 410 ||
    err.reason === 'Expired' ||
    err.reason === 'Gone' ||
    /too (old|large) resource version/i.test(err.message)
  );
}

import http from 'node:http';
import https from 'node:https';

// Keep-alive pools shared by every model call of the process: one per protocol.
const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

export interface ProviderRequest {
  method: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  signal?: AbortSignal;
}

/**
 * One HTTP request to a model provider over the process's keep-alive pools, resolving with the
 * response as soon as its headers arrive. Failures keep fetch's contract, which the AI SDK and our
 * error mapping (toProviderCallError) rely on: an abort rejects with the signal's reason, a
 * connection that fails with TypeError('fetch failed') and the socket error as its cause.
 */
export function sendProviderRequest(url: URL, init: ProviderRequest): Promise<http.IncomingMessage> {
  const agent = url.protocol === 'https:' ? agents['https:'] : agents['http:'];
  const { signal } = init;
  return new Promise<http.IncomingMessage>((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).request(url, {
      method: init.method,
      // Identity: the pools' sockets are reused, and decompressing would cost CPU for small bodies.
      headers: { 'accept-encoding': 'identity', ...init.headers },
      agent,
      signal,
    });
    request.once('response', resolve);
    request.once('error', (err) =>
      reject(signal?.aborted ? signal.reason : new TypeError('fetch failed', { cause: err })),
    );
    request.end(init.body ?? undefined);
  });
}

/** The body cut short: what the global fetch reports (TypeError 'terminated'), so callers tell it the same way. */
export function bodyCutShort(response: http.IncomingMessage, signal: AbortSignal | undefined, err?: Error): unknown {
  if (signal?.aborted) return signal.reason;
  return new TypeError('terminated', { cause: err ?? response.errored ?? new Error('the connection closed') });
}

/** The whole body; rejects as bodyCutShort says when the connection drops before its end. */
export function readWholeBody(response: http.IncomingMessage, signal: AbortSignal | undefined): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.once('end', () => resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)));
    response.once('error', (err) => reject(bodyCutShort(response, signal, err)));
    response.once('close', () => {
      if (!response.complete) reject(bodyCutShort(response, signal));
    });
  });
}

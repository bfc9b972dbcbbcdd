import http from 'node:http';
import https from 'node:https';

// Keep-alive pools shared by every model call of the process: one per protocol. A socket idle for
// 4 s is closed by us, before a server's own idle timeout (Node's default is 5 s) can close it
// under a request we are sending.
const freeSocketTimeoutMs = 4_000;
const agents = {
  'http:': new http.Agent({ keepAlive: true, timeout: freeSocketTimeoutMs }),
  'https:': new https.Agent({ keepAlive: true, timeout: freeSocketTimeoutMs }),
};

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
 *
 * A pooled socket the server closed while our request was on its way (its idle timeout racing our
 * reuse) fails before any answer: that request is sent once more on a new connection, as Node's
 * documentation advises (`request.reusedSocket`). Without it a busy runtime saw `socket hang up`
 * at concurrency 64, and the failures opened the candidate's circuit breaker.
 */
export function sendProviderRequest(url: URL, init: ProviderRequest): Promise<http.IncomingMessage> {
  return sendOnce(url, init).catch((failure: unknown) => {
    if (!(failure instanceof StaleSocket)) throw failure;
    return sendOnce(url, init, { pooled: false });
  });
}

/** A request that failed on a reused keep-alive socket before any answer came. */
class StaleSocket extends Error {}

function sendOnce(url: URL, init: ProviderRequest, options = { pooled: true }): Promise<http.IncomingMessage> {
  const pool = url.protocol === 'https:' ? agents['https:'] : agents['http:'];
  const { signal } = init;
  return new Promise<http.IncomingMessage>((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).request(url, {
      method: init.method,
      // Identity: the pools' sockets are reused, and decompressing would cost CPU for small bodies.
      headers: { 'accept-encoding': 'identity', ...init.headers },
      // The retry after a stale socket takes a connection of its own, which cannot be stale.
      agent: options.pooled ? pool : false,
      signal,
    });
    request.once('response', resolve);
    request.once('error', (err: NodeJS.ErrnoException) => {
      if (signal?.aborted) reject(signal.reason);
      else if (request.reusedSocket && isClosedUnderUs(err)) reject(new StaleSocket('stale socket', { cause: err }));
      else reject(fetchFailed(err));
    });
    request.end(init.body ?? undefined);
  });
}

/** The socket closed or reset by the other end: what a server's idle close looks like from here. */
function isClosedUnderUs(err: NodeJS.ErrnoException): boolean {
  return err.code === 'ECONNRESET' || err.code === 'EPIPE';
}

function fetchFailed(cause: unknown): TypeError {
  return new TypeError('fetch failed', { cause });
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

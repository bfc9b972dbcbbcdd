import type { Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';

export interface RequestsInFlight {
  /** Requests being answered now. */
  inFlight(): number;
  /**
   * Stops accepting connections and resolves once every request in flight has been answered and
   * every keep-alive connection has ended (or `lingerMs` from the start has passed), or at `deadlineMs`;
   * `abandoned` counts the requests still unanswered then.
   */
  drain(limits: { deadlineMs: number; lingerMs: number }): Promise<{ abandoned: number }>;
}

/**
 * Counts the HTTP requests a server is answering, and the keep-alive connections that carried
 * them, so shutdown can wait for exactly those. `server.close()` alone would also wait for
 * upgraded WebSocket connections (closed by their own code, with 1001) and for idle keep-alive
 * connections, which never end by themselves.
 *
 * A drain lets idle keep-alive connections live on for `lingerMs` instead of closing them at once:
 * a client (undici, a browser, a proxy) may be sending its next request on one right now, and a
 * connection closed under it fails that request, although nothing was wrong with it. Every answer
 * sent while draining says `Connection: close`, so its client opens a new connection for the next
 * request (to another replica); idle ones end by the `Keep-Alive: timeout=5` the server advertised
 * (clients stop reusing a connection before that hint), or at the linger. A linger of 0 closes
 * idle connections at once.
 *
 * The Cloud API (api/cli/start-api-server.ts) and astromeshd (create-runtime-server.ts) both drain
 * through this; it lives with the runtime's server pieces the API already reuses.
 */
export function trackRequestsInFlight(server: Server): RequestsInFlight {
  const responses = new Set<ServerResponse>();
  // Connections that carried a request and are still open; an upgraded one may linger here, but
  // never past the linger.
  const httpSockets = new Set<Socket>();
  let isDraining = false;
  let isLingerOver = false;
  let onChange: (() => void) | undefined;
  server.on('request', (request, response) => {
    if (isDraining) closeConnectionAfter(response);
    responses.add(response);
    response.once('close', () => {
      responses.delete(response);
      // A response begun before the drain may have promised keep-alive; past the linger nobody
      // waits for its connection to idle out.
      if (isLingerOver) setImmediate(() => server.closeIdleConnections());
      onChange?.();
    });
    const { socket } = request;
    if (httpSockets.has(socket)) return;
    httpSockets.add(socket);
    socket.once('close', () => {
      httpSockets.delete(socket);
      onChange?.();
    });
  });

  return {
    inFlight: () => responses.size,
    async drain({ deadlineMs, lingerMs }) {
      isDraining = true;
      for (const response of responses) closeConnectionAfter(response);
      // net.Server's close: stop listening. http.Server's close() would also close idle keep-alive
      // connections at once (Node ≥ 19), failing a request a client is just sending on one.
      NetServer.prototype.close.call(server);
      const endLinger = () => {
        isLingerOver = true;
        server.closeIdleConnections();
      };
      if (lingerMs <= 0) endLinger();
      const timers: NodeJS.Timeout[] = [];
      await new Promise<void>((resolve) => {
        onChange = () => {
          if (responses.size === 0 && (isLingerOver || httpSockets.size === 0)) resolve();
        };
        const lingerEnds = () => {
          endLinger();
          onChange?.();
        };
        if (!isLingerOver) timers.push(setTimeout(lingerEnds, Math.min(lingerMs, deadlineMs)));
        timers.push(setTimeout(resolve, deadlineMs));
        onChange();
      });
      for (const timer of timers) clearTimeout(timer);
      onChange = undefined;
      const abandoned = responses.size;
      server.closeAllConnections();
      return { abandoned };
    },
  };
}

/**
 * The client closes the connection once it has read this answer, so it sends nothing more on it.
 * An answer whose headers are out already keeps its connection until the linger.
 */
function closeConnectionAfter(response: ServerResponse): void {
  if (!response.headersSent) response.setHeader('Connection', 'close');
}

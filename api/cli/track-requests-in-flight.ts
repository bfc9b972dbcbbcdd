import type { Server } from 'node:http';

export interface RequestsInFlight {
  /**
   * Stops accepting connections and resolves once every request in flight has been answered,
   * or at the deadline; `abandoned` counts the requests still unanswered then.
   */
  drain(deadlineMs: number): Promise<{ abandoned: number }>;
}

/**
 * Counts the HTTP requests a server is answering, so shutdown can wait for exactly those.
 * `server.close()` alone would also wait for upgraded WebSocket connections and for idle
 * keep-alive connections, which never end by themselves.
 */
export function trackRequestsInFlight(server: Server): RequestsInFlight {
  let inFlight = 0;
  let isDraining = false;
  let onIdle: (() => void) | undefined;
  server.on('request', (_request, response) => {
    inFlight++;
    response.once('close', () => {
      inFlight--;
      if (!isDraining) return;
      // The connection turns idle once its response is flushed; close it so no new request arrives on it.
      setImmediate(() => server.closeIdleConnections());
      if (inFlight === 0) onIdle?.();
    });
  });

  return {
    async drain(deadlineMs) {
      isDraining = true;
      server.close();
      server.closeIdleConnections();
      if (inFlight > 0) {
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => {
          onIdle = resolve;
          timer = setTimeout(resolve, deadlineMs);
        });
        clearTimeout(timer);
      }
      const abandoned = inFlight;
      server.closeAllConnections();
      return { abandoned };
    },
  };
}

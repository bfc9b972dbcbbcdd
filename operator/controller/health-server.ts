import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';

/** Whether the operator may receive traffic, and if not, why (shown to whoever probes). */
export type Readiness = { ready: true } | { ready: false; reason: string };

export interface HealthServer {
  /** Starts serving; port 0 picks a free one, which the result reports. */
  listen(address: { host: string; port: number }): Promise<{ port: number; close(): Promise<void> }>;
}

/**
 * The operator's probe and scrape endpoint, on plain node:http so it keeps answering whatever
 * the controllers do: `/healthz` is 200 while the process runs (the kubelet restarts it when
 * not), `/readyz` is 200 only while `ready()` says so and 503 with its reason otherwise, and
 * `/metrics` is the Prometheus exposition.
 */
export function createHealthServer(deps: {
  ready: () => Readiness;
  metrics: { contentType: string; render: () => Promise<string> };
  log: Logger;
}): HealthServer {
  const server = createServer(async (request, response) => {
    // Not new URL(): it throws on request targets node:http lets through (`//`), and a throw here
    // would be an unhandled rejection that ends the operator.
    const path = (request.url ?? '/').split('?')[0] as string;
    const reply = (status: number, body: string, contentType = 'text/plain; charset=utf-8') => {
      response.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
      response.end(request.method === 'HEAD' ? undefined : body);
    };
    if (request.method !== 'GET' && request.method !== 'HEAD') return reply(405, 'method not allowed\n');
    try {
      if (path === '/healthz') return reply(200, 'ok\n');
      if (path === '/readyz') {
        const readiness = deps.ready();
        return readiness.ready ? reply(200, 'ok\n') : reply(503, `not ready: ${readiness.reason}\n`);
      }
      if (path === '/metrics') return reply(200, await deps.metrics.render(), deps.metrics.contentType);
      return reply(404, 'not found\n');
    } catch (err) {
      deps.log.error({ err, path }, 'health endpoint failed');
      return reply(500, 'internal error\n');
    }
  });

  return {
    async listen({ host, port }) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      return {
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((resolve, reject) => {
            server.close((err) => (err ? reject(err) : resolve()));
            // Scrapers keep connections alive; closing must not wait for them to hang up.
            server.closeIdleConnections();
          }),
      };
    },
  };
}

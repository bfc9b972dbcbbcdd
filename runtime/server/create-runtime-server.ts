import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from 'pino';
import { ShuttingDown } from '../runtime-error.ts';
import { attachAgentStreamSocket } from './agent-stream-socket.ts';
import { answerClientErrors } from './answer-client-errors.ts';
import { bearerTokenOf, type TokenCheck, Unauthorized } from './bearer-token.ts';
import { createRequestGuard, type RequestGuard } from './create-request-guard.ts';
import { errorEnvelope, toErrorBody } from './error-envelope.ts';
import { jsonBodyParser } from './json-body-parser.ts';
import { openApiRoute } from './openapi/open-api-route.ts';
import { refuseMalformedUrl } from './refuse-malformed-url.ts';
import { agentRoutes } from './routes/agent-routes.ts';
import { healthRoute } from './routes/health-route.ts';
import { memoryRoutes } from './routes/memory-routes.ts';
import { observabilityRoutes } from './routes/observability-routes.ts';
import { ragRoutes } from './routes/rag-routes.ts';
import { semanticMemoryRoute } from './routes/semantic-memory-route.ts';
import { toolRoutes } from './routes/tool-routes.ts';
import type { RuntimeServices } from './runtime-services.ts';
import { trackRequestsInFlight } from './track-requests-in-flight.ts';

const bodyLimit = '1mb';
const openPaths = new Set(['/v1/health', '/v1/openapi.json']);

export interface RuntimeServer {
  server: Server;
  /** Pins errors that escape a handler on its request (main installs the process-level half). */
  guard: RequestGuard;
  listen(port: number, host: string): Promise<{ port: number }>;
  /**
   * Stops listening, lets runs in flight finish until `deadlineMs`, then cancels the rest. Idle
   * keep-alive connections stay open for `lingerMs` (within the deadline) and requests arriving on
   * them are served, each answer saying `Connection: close`; 0 closes them at once.
   */
  shutdown(limits: { deadlineMs: number; lingerMs: number }): Promise<void>;
}

export function createRuntimeServer(
  services: RuntimeServices,
  options: { tokenCheck: TokenCheck; log: Logger },
): RuntimeServer {
  const { tokenCheck, log } = options;
  const shutdownController = new AbortController();
  const guard = createRequestGuard({ log });
  const app = new Koa();
  app.proxy = false;
  app.silent = true;
  app.use(guard.middleware((err) => toErrorBody(err)));
  app.use(errorEnvelope(log));
  app.use(async (ctx, next) => {
    ctx.state.shutdown = shutdownController.signal;
    // Health stays open so a kubelet or load balancer can probe without the token; the OpenAPI
    // document, so a client can learn the API before it has one.
    if (!openPaths.has(ctx.path) && !tokenCheck(bearerTokenOf(ctx.req))) throw new Unauthorized();
    await next();
  });
  app.use(refuseMalformedUrl());
  app.use(jsonBodyParser({ limit: bodyLimit }));

  const router = new Router({ prefix: '/v1' });
  mountRuntimeRoutes(router, services);
  app.use(router.routes());
  app.use(router.allowedMethods());

  const server = createServer(app.callback());
  // Answers sent while draining say Connection: close, so the Cloud API's pool takes its next run
  // to another runtime.
  const requests = trackRequestsInFlight(server);
  answerClientErrors(server);
  const sockets = attachAgentStreamSocket(server, {
    services,
    tokenCheck,
    shutdown: shutdownController.signal,
    guard,
    log,
  });

  return {
    server,
    guard,
    listen(port, host) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const address = server.address();
          resolve({ port: typeof address === 'object' && address ? address.port : port });
        });
      });
    },
    async shutdown({ deadlineMs, lingerMs }) {
      const closed = once(server, 'close');
      const deadline = services.now() + deadlineMs;
      // Not server.close() + closeIdleConnections(): during a rollout the Cloud API's pool may be
      // sending a run on an idle connection just then, and a connection closed under it fails the
      // run with a socket error the API must not retry (the run may have reached a model): a 502.
      let isHttpDrained = false;
      const drained = requests.drain({ deadlineMs, lingerMs }).then((result) => {
        isHttpDrained = true;
        return result;
      });
      // Runs over HTTP end the HTTP drain; runs over WebSocket are counted by the engine. Until
      // both are over (or the deadline), a run arriving on a lingering connection is served, not
      // cancelled at once by the shutdown signal.
      while ((!isHttpDrained || services.engine.activeRuns() > 0) && services.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      shutdownController.abort(new ShuttingDown());
      sockets.closeAll();
      const { abandoned } = await drained;
      if (abandoned > 0) log.warn({ abandoned }, 'requests still running at the shutdown deadline were cut off');
      await closed;
    },
  };
}

/** Every HTTP route of /v1 on `router`; the OpenAPI document (openapi/runtime-operations.ts) lists the same. */
export function mountRuntimeRoutes(router: Router, services: RuntimeServices): void {
  healthRoute(router, services);
  openApiRoute(router, { version: services.version, bodyLimit });
  agentRoutes(router, services);
  memoryRoutes(router, services);
  semanticMemoryRoute(router, services);
  ragRoutes(router, services);
  toolRoutes(router, services);
  observabilityRoutes(router, services);
}

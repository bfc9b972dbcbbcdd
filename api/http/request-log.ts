import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import type { ApiMetrics } from './metrics.ts';

// Probes and scrapes arrive every few seconds; at info they would drown the requests that matter.
const quietRoutes = new Set(['/healthz', '/readyz', '/metrics']);

const secretKeys = ['authorization', 'x-api-key', 'api_key', 'apiKey', 'refresh_token', 'password', 'token'];

/**
 * Pino redaction for the API's logger: these keys are censored wherever a logged object holds
 * them, up to three levels deep (`{ headers: { authorization } }`, `{ req: { body: { api_key } } }`).
 */
export const logRedaction = {
  paths: secretKeys.flatMap((key) => {
    const field = `[${JSON.stringify(key)}]`;
    return [field, `*${field}`, `*.*${field}`, `*.*.*${field}`];
  }),
  censor: '[redacted]',
};

/**
 * One log line and one metrics observation per request: method, route template, status,
 * duration and request id. It logs the route template and never the URL, whose query may hold a
 * credential (the WebSocket's `?token=`), nor headers or bodies.
 */
export function requestLog(deps: { log: Logger; metrics: ApiMetrics }): Middleware {
  return async (ctx, next) => {
    const startedAt = performance.now();
    await next();
    const durationMs = performance.now() - startedAt;
    const route = routeTemplateOf(ctx);
    deps.metrics.observeRequest({ method: ctx.method, route, status: ctx.status, durationSeconds: durationMs / 1000 });
    const entry = {
      requestId: ctx.state.requestId as string | undefined,
      method: ctx.method,
      route,
      status: ctx.status,
      durationMs: Math.round(durationMs * 100) / 100,
    };
    if (quietRoutes.has(route)) deps.log.debug(entry, 'request');
    else deps.log.info(entry, 'request');
  };
}

/**
 * The matched route in OpenAPI form (`/api/v1/orgs/{slug}/agents`), or `unmatched`: a label per
 * route template, never per URL, keeps the metrics' label sets bounded.
 */
function routeTemplateOf(ctx: Context): string {
  const matched = (ctx as Context & { _matchedRoute?: unknown })._matchedRoute;
  return typeof matched === 'string' ? matched.replace(/:([A-Za-z0-9_]+)/g, '{$1}') : 'unmatched';
}

import { readFileSync } from 'node:fs';
import Router from '@koa/router';
import type { Database } from '../db/database.ts';
import { DatabaseUnavailable } from '../db/database-unavailable.ts';
import { knownMigrations } from '../db/migrate.ts';
import type { EmbeddedPostgresStatus } from '../db/supervise-embedded-postgres.ts';
import { type ApiRoute, publicRoute } from '../http/api-route.ts';
import type { ErrorBody } from '../http/error-envelope.ts';
import type { ApiMetrics } from '../http/metrics.ts';
import { buildOpenApiDocument } from '../openapi/build-openapi-document.ts';

// A probe must answer even when the database hangs rather than refuses: past this, it is not ready.
const readinessTimeoutMs = 2_000;

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
  license: string;
};

/**
 * Probes and metrics, outside /api/v1 and ahead of authentication, so a probe or a scraper needs
 * no credentials: `/healthz` (liveness: the process serves requests, and its embedded PostgreSQL,
 * if any, is running or being restarted), `/readyz` (the database answers and has every
 * migration), `/metrics` (Prometheus).
 */
export function opsRouter(deps: {
  db: Database;
  metrics: ApiMetrics;
  /** Local mode: the state of the PostgreSQL this API started and restarts. */
  embeddedPostgres?: { status(): EmbeddedPostgresStatus };
}): Router {
  const router = new Router();
  const expectedVersions = knownMigrations().map((migration) => migration.version);

  // The database is deliberately not checked here: restarting a healthy API cannot bring an
  // external database back, so an outage makes /readyz fail, not /healthz. Only what the API
  // should mend itself and cannot (its own PostgreSQL keeps failing to restart) makes it fail.
  router.get('/healthz', (ctx) => {
    const embedded = deps.embeddedPostgres?.status();
    if (embedded?.state === 'restarting' && !embedded.isRecovering) {
      ctx.status = 503;
      ctx.body = {
        error: 'unhealthy',
        message:
          `the embedded PostgreSQL could not be restarted (${embedded.failedAttempts} attempts, last: ` +
          `${embedded.lastError ?? 'unknown'}); the API keeps trying, but needs help`,
        status: 503,
      } satisfies ErrorBody;
      return;
    }
    ctx.body = {
      status: 'ok',
      checks: { process: 'ok', ...(embedded ? { embedded_postgres: embedded.state } : {}) },
      not_checked: 'whether the database answers: see /readyz',
    };
  });

  router.get('/readyz', async (ctx) => {
    const embedded = deps.embeddedPostgres?.status();
    const problem =
      embedded?.state === 'restarting'
        ? 'the embedded PostgreSQL is restarting'
        : await readinessProblemOf(deps.db, expectedVersions);
    if (problem) {
      ctx.status = 503;
      ctx.body = { error: 'not_ready', message: problem, status: 503 } satisfies ErrorBody;
    } else {
      ctx.body = { status: 'ready' };
    }
  });

  router.get('/metrics', async (ctx) => {
    ctx.type = deps.metrics.contentType;
    ctx.body = await deps.metrics.render();
  });

  return router;
}

/** `GET /api/v1/openapi.json`: the document is built once, from the routes as registered. */
export function openApiRoute(deps: { routes: readonly ApiRoute[]; serverUrl: string; bodyLimit: string }): ApiRoute {
  let document: ReturnType<typeof buildOpenApiDocument> | undefined;
  return publicRoute({
    method: 'get',
    path: '/openapi.json',
    summary: 'This API as an OpenAPI 3.1 document',
    tag: 'Meta',
    handle: async () => {
      document ??= buildOpenApiDocument({
        routes: deps.routes,
        serverUrl: deps.serverUrl,
        bodyLimit: deps.bodyLimit,
        version: packageJson.version,
        license: packageJson.license,
      });
      return document;
    },
  }) as ApiRoute;
}

/** Why the API is not ready, or undefined when it is. */
async function readinessProblemOf(db: Database, expectedVersions: number[]): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DatabaseUnavailable('no answer within the probe timeout')), readinessTimeoutMs);
  });
  try {
    const { rows } = await Promise.race([
      db.query<{ version: number }>('SELECT version FROM schema_migrations'),
      timeout,
    ]);
    const applied = new Set(rows.map((row) => row.version));
    const pending = expectedVersions.filter((version) => !applied.has(version));
    return pending.length > 0 ? `migrations not applied yet: ${pending.join(', ')}` : undefined;
  } catch (err) {
    // 42P01: no schema_migrations table, so a reachable database that was never migrated.
    if ((err as { code?: unknown }).code === '42P01') return 'migrations not applied yet: all';
    return err instanceof DatabaseUnavailable
      ? `the database does not answer (${err.reason})`
      : 'the database does not answer';
  } finally {
    clearTimeout(timer);
  }
}

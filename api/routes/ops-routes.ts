import { readFileSync } from 'node:fs';
import Router from '@koa/router';
import type { Database } from '../db/database.ts';
import { knownMigrations } from '../db/migrate.ts';
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
 * no credentials: `/healthz` (the process answers), `/readyz` (the database answers and has every
 * migration), `/metrics` (Prometheus).
 */
export function opsRouter(deps: { db: Database; metrics: ApiMetrics }): Router {
  const router = new Router();
  const expectedVersions = knownMigrations().map((migration) => migration.version);

  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });

  router.get('/readyz', async (ctx) => {
    const problem = await readinessProblemOf(deps.db, expectedVersions);
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
export function openApiRoute(deps: { routes: readonly ApiRoute[]; serverUrl: string }): ApiRoute {
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
    timer = setTimeout(() => reject(new Error('timed out')), readinessTimeoutMs);
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
    return 'the database does not answer';
  } finally {
    clearTimeout(timer);
  }
}

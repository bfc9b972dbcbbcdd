import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Logger, pino } from 'pino';
import type { DeployBackend } from '../../api/backends/deploy-backend.ts';
import { createLocalBackend } from '../../api/backends/local/create-local-backend.ts';
import { loadApiConfig } from '../../api/config/api-config.ts';
import { type Api, apiPrefix, createApi } from '../../api/create-api.ts';
import { createDatabase, type Database } from '../../api/db/database.ts';
import { migrate } from '../../api/db/migrate.ts';
import { devLogin } from './dev-login.ts';
import { testCompileCacheDir } from './test-compile-cache-dir.ts';
import { createTestDatabase } from './test-database.ts';

export interface SignedIn {
  token: string;
  refreshToken: string;
  org: string;
  as(path: string, init?: RequestInit): Promise<Response>;
}

export interface TestApi {
  /** `http://127.0.0.1:<port>` (routes live under /api/v1). */
  url: string;
  api: Api;
  db: Database;
  stateDir: string;
  /** fetch `/api/v1<path>`; a JSON body gets its content type. */
  request(path: string, init?: RequestInit & { token?: string; apiKey?: string }): Promise<Response>;
  /** Dev login: a fresh user with an org of its own. */
  login(email?: string): Promise<{ token: string; refreshToken: string; org: string }>;
  /** login(), plus `as(path)`: a request to `/orgs/<the user's org><path>` with the user's token. */
  signIn(email?: string): Promise<SignedIn>;
  stop(): Promise<void>;
}

/** Makes the backend a test API runs on, from what the test API set up. */
export type TestBackendFactory = (context: { stateDir: string; databaseUrl: string; log: Logger }) => DeployBackend;

/**
 * The Cloud API in this process on a free port, on a database of its own (migrated) and the
 * real local backend (org runtimes are real astromeshd processes), or the one `backend` makes.
 */
export async function startTestApi(
  options: {
    env?: Record<string, string>;
    backend?: TestBackendFactory;
    /** The PostgreSQL server's superuser URL; vitest's shared server if not given. */
    adminDatabaseUrl?: string;
    /** The Studio build served at /studio; this checkout's studio/dist if not given. */
    studioDir?: string;
    /** The port to listen on (one known before the API starts, e.g. for ASTROMESH_PUBLIC_URL); free if not given. */
    port?: number;
  } = {},
): Promise<TestApi> {
  const database = await createTestDatabase(options.adminDatabaseUrl);
  const stateDir = mkdtempSync(join(tmpdir(), 'astromesh-api-'));
  const config = loadApiConfig({
    ASTROMESH_STATE_DIR: stateDir,
    ASTROMESH_JWT_SECRET: randomBytes(48).toString('base64'),
    ASTROMESH_MASTER_KEY: randomBytes(32).toString('base64'),
    DATABASE_URL: database.url,
    ...options.env,
  });
  const log = pino({ level: 'silent' });
  const db = createDatabase(database.url, { log });
  await migrate(db);
  const backend = options.backend
    ? options.backend({ stateDir, databaseUrl: database.url, log })
    : createLocalBackend({ stateDir, memoryUrl: database.url, log, compileCacheDir: testCompileCacheDir });
  const api = createApi({ config, db, backend, log, now: () => new Date(), studioDir: options.studioDir });
  const server = createServer(api.app.callback());
  api.attach(server);
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const request: TestApi['request'] = (path, init = {}) => {
    const { token, apiKey, ...rest } = init;
    const headers = new Headers(rest.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    if (apiKey) headers.set('x-api-key', apiKey);
    if (rest.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
    return fetch(`${url}${apiPrefix}${path}`, { ...rest, headers });
  };

  const login: TestApi['login'] = (email) => devLogin(url, email);

  return {
    url,
    api,
    db,
    stateDir,
    request,
    login,
    async signIn(email) {
      const user = await login(email);
      return { ...user, as: (path, init = {}) => request(`/orgs/${user.org}${path}`, { ...init, token: user.token }) };
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await api.close();
      await backend.close();
      await db.end();
      await database.drop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/**
 * A test API and its first user, signed in: what most API tests start from. `onStop` receives
 * what stops the API, for the test's own cleanups.
 */
export async function startSignedInTestApi(
  onStop: (stop: () => Promise<void>) => void,
  options?: Parameters<typeof startTestApi>[0],
): Promise<{ api: TestApi; owner: SignedIn } & SignedIn> {
  const api = await startTestApi(options);
  onStop(() => api.stop());
  const owner = await api.signIn();
  return { api, owner, ...owner };
}

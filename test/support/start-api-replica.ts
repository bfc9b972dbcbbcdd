import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createLocalBackend } from '../../api/backends/local/create-local-backend.ts';
import { loadApiConfig } from '../../api/config/api-config.ts';
import { type Api, apiPrefix, createApi } from '../../api/create-api.ts';
import { createDatabase } from '../../api/db/database.ts';
import type { TestApi } from './start-test-api.ts';
import { testCompileCacheDir } from './test-compile-cache-dir.ts';

export interface ApiReplica {
  url: string;
  api: Api;
  /** fetch `/api/v1<path>` on this replica with `token`. */
  request(path: string, init?: RequestInit & { token?: string }): Promise<Response>;
  stop(): Promise<void>;
}

/**
 * Another Cloud API replica, in this process, on the database of `first` (already migrated): a
 * server, a pool and a state directory of its own, as a second pod of the chart has. `env` must
 * hold the JWT secret and master key `first` was started with, so each accepts the other's tokens.
 */
export async function startApiReplica(first: TestApi, env: Record<string, string>): Promise<ApiReplica> {
  const databaseUrl = String(first.db.options.connectionString);
  const stateDir = mkdtempSync(join(tmpdir(), 'astromesh-replica-'));
  const log = pino({ level: 'silent' });
  const config = loadApiConfig({ ...env, ASTROMESH_STATE_DIR: stateDir, DATABASE_URL: databaseUrl });
  const db = createDatabase(databaseUrl, { log });
  const backend = createLocalBackend({ stateDir, memoryUrl: databaseUrl, log, compileCacheDir: testCompileCacheDir });
  const api = createApi({ config, db, backend, log, now: () => new Date() });
  const server = createServer(api.app.callback());
  api.attach(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let stopping: Promise<void> | undefined;
  return {
    url,
    api,
    request(path, init = {}) {
      const { token, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (token) headers.set('authorization', `Bearer ${token}`);
      if (rest.body !== undefined && !headers.has('content-type')) headers.set('content-type', 'application/json');
      return fetch(`${url}${apiPrefix}${path}`, { ...rest, headers });
    },
    // Once, however often it is called: a test may stop a replica that its cleanup stops again.
    stop() {
      stopping ??= (async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await api.close();
        await backend.close();
        await db.end();
        rmSync(stateDir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

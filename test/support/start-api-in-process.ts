import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { type RunningApiServer, startApiServer } from '../../api/cli/start-api-server.ts';
import { loadApiConfig } from '../../api/config/api-config.ts';
import { logRedaction } from '../../api/http/request-log.ts';
import type { LogRecord } from './spawn-astromeshd.ts';
import { createTestDatabase, type TestDatabase } from './test-database.ts';

export interface InProcessApi {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  server: RunningApiServer;
  database: TestDatabase;
  /** Every record the API logged so far, at debug and above, redaction applied. */
  logs(): LogRecord[];
  stop(): Promise<void>;
}

/**
 * The API started the way main.ts starts it (startApiServer: migrations, local backend, startup
 * reconcile, HTTP server), in this process, on a database of its own, with its log captured. No
 * shutdown linger unless `env` asks for one: the test's keep-alive connections would hold stop() up.
 */
export async function startApiInProcess(options: { env?: Record<string, string> } = {}): Promise<InProcessApi> {
  const database = await createTestDatabase();
  const stateDir = mkdtempSync(join(tmpdir(), 'astromesh-api-'));
  const records: LogRecord[] = [];
  const log = pino(
    { level: 'debug', redact: logRedaction },
    { write: (line: string) => records.push(JSON.parse(line) as LogRecord) },
  );
  const config = loadApiConfig({
    DATABASE_URL: database.url,
    ASTROMESH_STATE_DIR: stateDir,
    PORT: '0',
    ASTROMESH_JWT_SECRET: randomBytes(48).toString('base64'),
    ASTROMESH_MASTER_KEY: randomBytes(32).toString('base64'),
    ASTROMESH_SHUTDOWN_LINGER_SECONDS: '0',
    ...options.env,
  });
  const server = await startApiServer(config, { log });
  return {
    url: server.url,
    server,
    database,
    logs: () => [...records],
    async stop() {
      await server.stop();
      await database.drop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

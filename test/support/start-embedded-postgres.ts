import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres as startCluster } from '../../api/db/embedded-postgres.ts';

export interface RunningPostgres {
  /** Superuser URL of the server's `postgres` database. */
  adminUrl: string;
  stop(): Promise<void>;
}

/**
 * The product's embedded PostgreSQL (api/db/embedded-postgres.ts) in throwaway mode: a fresh
 * cluster in a temporary folder on a free loopback port, tuned for speed, deleted on stop.
 */
export async function startEmbeddedPostgres(): Promise<RunningPostgres> {
  const cluster = await startCluster({
    dataDir: mkdtempSync(join(tmpdir(), 'astromesh-pg-')),
    port: 0,
    mode: { kind: 'throwaway' },
  });
  return { adminUrl: cluster.adminUrl, stop: () => cluster.stop() };
}

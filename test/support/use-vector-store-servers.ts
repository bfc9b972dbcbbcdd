import pg from 'pg';
import { afterAll, beforeAll, expect } from 'vitest';
import { type RunningChroma, startChromaServer } from './start-chroma-server.ts';
import { type RunningPgvectorPostgres, startPgvectorPostgres } from './start-pgvector-postgres.ts';

export interface VectorStoreServers {
  /** The PostgreSQL + pgvector server (started in beforeAll). */
  readonly postgres: RunningPgvectorPostgres;
  /** The Chroma server (started in beforeAll). */
  readonly chroma: RunningChroma;
  /** A fresh database on the pgvector server; its URL holds the superuser's password. */
  aPostgresDatabase(): Promise<string>;
  /** A fresh database on the Chroma server (default_tenant); its name. */
  aChromaDatabase(): Promise<string>;
}

/**
 * Starts a real pgvector PostgreSQL and a real Chroma server for the calling test file (stopped
 * after it) and hands out fresh databases on them named `<prefix>_<n>`, so tests never share data.
 */
export function useVectorStoreServers(databasePrefix: string): VectorStoreServers {
  let postgres: RunningPgvectorPostgres | undefined;
  let chroma: RunningChroma | undefined;
  let databases = 0;
  beforeAll(async () => {
    [postgres, chroma] = await Promise.all([startPgvectorPostgres(), startChromaServer()]);
  }, 120_000);
  afterAll(() => Promise.all([postgres?.stop(), chroma?.stop()]));

  const started = <T>(server: T | undefined, name: string): T => {
    if (server === undefined) throw new Error(`the ${name} server is used before beforeAll started it`);
    return server;
  };
  return {
    get postgres() {
      return started(postgres, 'pgvector');
    },
    get chroma() {
      return started(chroma, 'Chroma');
    },
    async aPostgresDatabase() {
      const name = `${databasePrefix}_${++databases}`;
      const admin = new pg.Client({ connectionString: started(postgres, 'pgvector').url });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${name}`);
      await admin.end();
      const url = new URL(started(postgres, 'pgvector').url);
      url.pathname = `/${name}`;
      return url.toString();
    },
    async aChromaDatabase() {
      const name = `${databasePrefix}_${++databases}`;
      const response = await fetch(`${started(chroma, 'Chroma').url}/api/v2/tenants/default_tenant/databases`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name }),
      });
      expect(response.status).toBe(200);
      return name;
    },
  };
}

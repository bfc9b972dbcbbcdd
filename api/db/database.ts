import pg from 'pg';
import type { Logger } from 'pino';

export type Database = pg.Pool;
export type Queryable = pg.Pool | pg.PoolClient;

export function createDatabase(connectionString: string, options: { log: Logger; max?: number }): Database {
  const pool = new pg.Pool({ connectionString, max: options.max ?? 20 });
  // An idle connection the server closes (a restart, a failover, an admin) is reported here;
  // without a listener Node would treat it as an uncaught error and stop the API.
  pool.on('error', (err) => options.log.warn({ err }, 'idle database connection lost'));
  return pool;
}

/** Runs `work` in one transaction; any throw rolls everything back, so nothing is half-written. */
export async function inTransaction<T>(db: Database, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

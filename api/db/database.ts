import pg from 'pg';

export type Database = pg.Pool;
export type Queryable = pg.Pool | pg.PoolClient;

export function createDatabase(connectionString: string, options: { max?: number } = {}): Database {
  return new pg.Pool({ connectionString, max: options.max ?? 20 });
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

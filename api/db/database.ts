import pg from 'pg';
import type { Logger } from 'pino';
import { DatabaseUnavailable } from './database-unavailable.ts';

export type Database = pg.Pool;
export type Queryable = pg.Pool | pg.PoolClient;

/** How long the API waits on PostgreSQL before it answers 503 database_unavailable instead. */
export interface DatabaseTimeouts {
  /** Opening a connection, or waiting for a free one when all are busy. */
  connectMs: number;
  /**
   * One statement. The server cancels it at this bound (statement_timeout); the client gives up
   * `clientGraceMs` later, for a server that cannot even say so (paused, unreachable).
   */
  queryMs: number;
  /** A transaction idle this long is ended by the server, so a stalled API replica releases its locks. */
  idleInTransactionMs: number;
  /** Both limits above, in a transaction that waits on something outside the database (a deploy). */
  heldTransactionMs: number;
}

// The defaults of ASTROMESH_DB_*_TIMEOUT_SECONDS (api-config.ts) and of ASTROMESH_DEPLOY_TIMEOUT_SECONDS.
export const defaultDatabaseTimeouts: DatabaseTimeouts = {
  connectMs: 5_000,
  queryMs: 15_000,
  idleInTransactionMs: 30_000,
  heldTransactionMs: 150_000,
};
// A live server reports its own statement timeout first (57014), and its connection stays usable.
const clientGraceMs = 1_000;

/**
 * A connection pool whose every failure to reach the database (refused, reset, timed out, server
 * restarting or out of connections) rejects with DatabaseUnavailable (503 with Retry-After); other
 * errors (a constraint violation) are unchanged. Statements and connections are bounded by `timeouts`.
 */
export function createDatabase(
  connectionString: string,
  options: { log: Logger; max?: number; timeouts?: DatabaseTimeouts },
): Database {
  const timeouts = options.timeouts ?? defaultDatabaseTimeouts;
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 20,
    Client: GuardedClient,
    connectionTimeoutMillis: timeouts.connectMs,
    statement_timeout: timeouts.queryMs,
    query_timeout: timeouts.queryMs + clientGraceMs,
    idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
    // Idle connections to a server that vanished (a node lost, a partition) are found and dropped.
    keepAlive: true,
  });
  heldTimeoutsOf.set(pool, timeouts.heldTransactionMs);
  convertErrorsOf(pool, ['connect', 'query']);
  // An idle connection the server closes (a restart, a failover, an admin) is reported here;
  // without a listener Node would treat it as an uncaught error and stop the API.
  pool.on('error', (err) => options.log.warn({ err }, 'idle database connection lost'));
  return pool;
}

/**
 * Runs `work` in one transaction; any throw rolls everything back, so nothing is half-written.
 * `waitsOutsideDatabase`: the transaction holds its locks while it waits on something else (a
 * deploy), so its statements and idle time get the held-transaction limit instead.
 */
export async function inTransaction<T>(
  db: Database,
  work: (client: pg.PoolClient) => Promise<T>,
  options: { waitsOutsideDatabase?: boolean } = {},
): Promise<T> {
  const client = await db.connect();
  let isConnectionBroken = false;
  try {
    await client.query('BEGIN');
    if (options.waitsOutsideDatabase)
      await extendTimeouts(client, heldTimeoutsOf.get(db) ?? defaultDatabaseTimeouts.heldTransactionMs);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    // After a timeout or a lost connection the server may still run the statement: ROLLBACK
    // would wait behind it. Closing the connection rolls the transaction back just as surely.
    isConnectionBroken = err instanceof DatabaseUnavailable;
    if (!isConnectionBroken) {
      await client.query('ROLLBACK').catch(() => {
        isConnectionBroken = true;
      });
    }
    throw err;
  } finally {
    if (client instanceof GuardedClient) client.heldQueryTimeoutMs = undefined;
    // true: the pool closes this connection instead of lending it out again in an unknown state.
    client.release(isConnectionBroken);
  }
}

/**
 * Lifts the statement and idle limits of the session (`'session'`: until the connection closes;
 * release it with `true`) or of the current transaction, to `limitMs` on both ends.
 */
export async function extendTimeouts(
  client: pg.PoolClient,
  limitMs: number,
  scope: 'transaction' | 'session' = 'transaction',
): Promise<void> {
  const isLocal = scope === 'transaction';
  await client.query(
    `SELECT set_config('statement_timeout', $1, $2), set_config('idle_in_transaction_session_timeout', $1, $2)`,
    [String(limitMs), isLocal],
  );
  if (client instanceof GuardedClient) client.heldQueryTimeoutMs = limitMs + clientGraceMs;
}

const heldTimeoutsOf = new WeakMap<pg.Pool, number>();

/** A pg client that converts its failures like the pool does, and can wait longer while held. */
class GuardedClient extends pg.Client {
  /** Client-side limit of each statement while a held transaction runs; undefined: the pool's. */
  heldQueryTimeoutMs: number | undefined;

  constructor(config?: pg.ClientConfig) {
    super(config);
    const query = this.query.bind(this) as (...args: unknown[]) => unknown;
    this.query = ((...args: unknown[]) => {
      const timeoutMs = this.heldQueryTimeoutMs;
      if (timeoutMs !== undefined) args[0] = withQueryTimeout(args[0], timeoutMs);
      return callConvertingErrors(query, args);
    }) as typeof this.query;
    convertErrorsOf(this, ['connect']);
    // pg-pool listens for errors only while a client is idle in the pool. A checked-out client
    // whose server goes away between two statements (a crash, an idle-in-transaction timeout)
    // would otherwise raise an uncaught 'error' and stop the API; its next statement fails with
    // DatabaseUnavailable instead, which is where the caller learns of it.
    this.on('error', () => undefined);
  }
}

function withQueryTimeout(config: unknown, timeoutMs: number): unknown {
  if (typeof config === 'string') return { text: config, query_timeout: timeoutMs };
  const isPlainConfig = typeof config === 'object' && config !== null && !('submit' in config);
  return isPlainConfig ? { ...config, query_timeout: timeoutMs } : config;
}

function convertErrorsOf(target: object, methods: string[]): void {
  const object = target as Record<string, (...args: unknown[]) => unknown>;
  for (const method of methods) {
    const original = object[method]?.bind(target);
    if (!original) throw new Error(`pg no longer has ${method}()`);
    object[method] = (...args: unknown[]) => callConvertingErrors(original, args);
  }
}

/** Calls a pg method in its callback or promise form, with a failure to reach the database as DatabaseUnavailable. */
function callConvertingErrors(call: (...args: unknown[]) => unknown, args: unknown[]): unknown {
  const callback = args.at(-1);
  if (typeof callback === 'function') {
    args[args.length - 1] = (err: unknown, ...rest: unknown[]) =>
      callback(err ? DatabaseUnavailable.from(err) : err, ...rest);
    return call(...args);
  }
  const result = call(...args);
  if (result instanceof Promise) {
    return result.catch((err: unknown) => {
      throw DatabaseUnavailable.from(err);
    });
  }
  return result;
}

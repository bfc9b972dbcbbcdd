import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/eventually.ts';
import { freePort } from '../../test/support/free-port.ts';
import { startPausableTcpProxy } from '../../test/support/pausable-tcp-proxy.ts';
import { createTestDatabase } from '../../test/support/test-database.ts';
import {
  createDatabase,
  type Database,
  type DatabaseTimeouts,
  defaultDatabaseTimeouts,
  inTransaction,
} from './database.ts';
import { DatabaseUnavailable } from './database-unavailable.ts';

const log = pino({ level: 'silent' });

describe('the database pool', () => {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function aDatabaseUrl(): Promise<string> {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    return database.url;
  }

  function aPool(url: string, options: { timeouts?: Partial<DatabaseTimeouts>; max?: number } = {}): Database {
    const db = createDatabase(url, {
      log,
      max: options.max,
      timeouts: { ...defaultDatabaseTimeouts, ...options.timeouts },
    });
    cleanups.push(() => db.end());
    return db;
  }

  /** The same database, reached through a TCP proxy the test can freeze like a paused server. */
  async function throughAProxy(url: string) {
    const target = new URL(url);
    const proxy = await startPausableTcpProxy({ host: target.hostname, port: Number(target.port) });
    cleanups.push(() => proxy.close());
    target.port = String(proxy.port);
    return { proxy, url: target.toString() };
  }

  const failureOf = (promise: Promise<unknown>) =>
    promise.then(
      () => expect.fail('the database answered'),
      (err: unknown) => err,
    );

  it('answers a refused connection with DatabaseUnavailable: 503 with Retry-After', async () => {
    const db = aPool(`postgres://postgres:unused@127.0.0.1:${await freePort()}/postgres`);

    const err = await failureOf(db.query('SELECT 1'));

    expect(err).toBeInstanceOf(DatabaseUnavailable);
    expect(err).toMatchObject({ code: 'database_unavailable', status: 503, reason: 'connection refused' });
    expect((err as DatabaseUnavailable).headers).toEqual({ 'Retry-After': '5' });
  });

  it('keeps a constraint violation what it is', async () => {
    const db = aPool(await aDatabaseUrl());
    await db.query('CREATE TABLE names (name text PRIMARY KEY)');
    await db.query("INSERT INTO names VALUES ('ada')");

    const err = await failureOf(db.query("INSERT INTO names VALUES ('ada')"));

    expect(err).not.toBeInstanceOf(DatabaseUnavailable);
    expect(err).toMatchObject({ code: '23505' });
  });

  it('keeps a constraint violation inside a transaction what it is, and the connection in the pool', async () => {
    const db = aPool(await aDatabaseUrl(), { max: 1 });
    await db.query('CREATE TABLE names (name text PRIMARY KEY)');
    const pidBefore = (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;

    const err = await failureOf(
      inTransaction(db, async (client) => {
        await client.query("INSERT INTO names VALUES ('ada')");
        await client.query("INSERT INTO names VALUES ('ada')");
      }),
    );

    expect(err).toMatchObject({ code: '23505' });
    expect((await db.query('SELECT count(*)::int AS n FROM names')).rows[0]).toEqual({ n: 0 });
    expect((await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid).toBe(pidBefore);
  });

  it('lets the server cancel a statement past the query timeout, as DatabaseUnavailable', async () => {
    const db = aPool(await aDatabaseUrl(), { timeouts: { queryMs: 200 } });

    const err = await failureOf(db.query('SELECT pg_sleep(5)'));

    expect(err).toMatchObject({ code: 'database_unavailable', reason: 'statement timed out' });
    expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('gives up on a server that stops answering mid-statement, as DatabaseUnavailable', async () => {
    const { proxy, url } = await throughAProxy(await aDatabaseUrl());
    const db = aPool(url, { timeouts: { queryMs: 200 } });
    await db.query('SELECT 1');
    proxy.pause();

    const err = await failureOf(db.query('SELECT 1'));

    expect(err).toMatchObject({ code: 'database_unavailable', reason: 'query timed out' });
  });

  it('gives up connecting to a server that accepts but never answers, as DatabaseUnavailable', async () => {
    const { proxy, url } = await throughAProxy(await aDatabaseUrl());
    const db = aPool(url, { timeouts: { connectMs: 300 } });
    proxy.pause();

    const err = await failureOf(db.query('SELECT 1'));

    expect(err).toMatchObject({ code: 'database_unavailable', reason: 'connect timed out' });
  });

  it('closes a connection whose statement timed out in a transaction instead of lending it out again', async () => {
    const { proxy, url } = await throughAProxy(await aDatabaseUrl());
    const db = aPool(url, { max: 1, timeouts: { queryMs: 200 } });
    await db.query('SELECT 1');

    const err = await failureOf(
      inTransaction(db, async (client) => {
        proxy.freezeOpenConnections();
        await client.query('SELECT 1');
      }),
    );

    expect(err).toBeInstanceOf(DatabaseUnavailable);
    // The one connection the pool may have is a new one: the frozen one would never answer.
    expect((await db.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
  });

  it('answers a session the server terminated with DatabaseUnavailable', async () => {
    const url = await aDatabaseUrl();
    const db = aPool(url, { max: 1 });
    const client = await db.connect();
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const admin = aPool(url);
    await admin.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);

    const err = await failureOf(client.query('SELECT 1'));
    client.release(true);

    expect(err).toBeInstanceOf(DatabaseUnavailable);
  });

  it('answers a server out of connections (53300) with DatabaseUnavailable', async () => {
    const url = new URL(await aDatabaseUrl());
    const role = `astromesh_test_${randomBytes(4).toString('hex')}`;
    const admin = aPool(url.toString());
    // Superusers are never refused; a role with no connections left is, with 53300.
    await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD 'secret-of-test' CONNECTION LIMIT 0`);
    cleanups.push(() => admin.query(`DROP ROLE ${role}`));
    url.username = role;
    url.password = 'secret-of-test';
    const db = aPool(url.toString());

    const err = await failureOf(db.query('SELECT 1'));

    expect(err).toMatchObject({ code: 'database_unavailable', reason: 'too many connections' });
  });

  it('has the server end a transaction left idle past the idle-in-transaction timeout, and its client say so', async () => {
    const url = await aDatabaseUrl();
    const db = aPool(url, { timeouts: { idleInTransactionMs: 200 } });
    const admin = aPool(url);
    const client = await db.connect();
    cleanups.push(() => client.release(true));
    await client.query('BEGIN');
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;

    await eventually(async () => {
      const { rows } = await admin.query('SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid]);
      expect(rows).toEqual([]);
    });
    // Checked out, the client heard of it between statements without stopping the process.
    expect(await failureOf(client.query('SELECT 1'))).toBeInstanceOf(DatabaseUnavailable);
  });

  it('lets a transaction that waits outside the database run statements past the query timeout', async () => {
    // The bounds are the contract: 200 ms for a request's statement, 5 s while a deploy holds the lock.
    const db = aPool(await aDatabaseUrl(), { timeouts: { queryMs: 200, heldTransactionMs: 5_000 } });

    const held = await inTransaction(db, (client) => client.query('SELECT pg_sleep(0.5), 1 AS done'), {
      waitsOutsideDatabase: true,
    });
    const plain = await failureOf(inTransaction(db, (client) => client.query('SELECT pg_sleep(0.5)')));

    expect(held.rows[0]).toMatchObject({ done: 1 });
    expect(plain).toMatchObject({ reason: 'statement timed out' });
    // SET LOCAL ends with the transaction: the connection is back to the request limits.
    expect(await failureOf(db.query('SELECT pg_sleep(0.5)'))).toMatchObject({ reason: 'statement timed out' });
  });

  it('ends idle connections quietly when the server restarts under them', async () => {
    const url = await aDatabaseUrl();
    const db = aPool(url);
    const admin = aPool(url);
    await Promise.all([db.query('SELECT 1'), db.query('SELECT 1')]);
    const { rows } = await admin.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()',
    );

    await admin.query('SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid', [rows.map((row) => row.pid)]);

    await eventually(async () => expect((await db.query('SELECT 3 AS three')).rows).toEqual([{ three: 3 }]));
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database.ts';
import { credentialsFrom, runTool } from '../test-support/a-tool-context.ts';
import { sqlQuery } from './sql-query.ts';

/** A SQLite file with a `books` table of three rows, removed when the test finishes. */
async function aSqliteFile(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'astromesh-sql-'));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'library.db');
  const db = new DatabaseSync(path);
  db.exec(`CREATE TABLE books (id INTEGER PRIMARY KEY, title TEXT NOT NULL, year INTEGER);
    INSERT INTO books (title, year) VALUES ('Dune', 1965), ('Neuromancer', 1984), ('Hyperion', 1989);`);
  db.close();
  return path;
}

function countBooks(path: string): number {
  const db = new DatabaseSync(path, { readOnly: true });
  const row = db.prepare('SELECT count(*) AS n FROM books').get() as { n: number };
  db.close();
  return row.n;
}

describe('sql_query on SQLite', () => {
  it('returns columns and rows for a SELECT with params', async () => {
    const path = await aSqliteFile();

    const result = await runTool(
      sqlQuery,
      { query: 'SELECT title, year FROM books WHERE year > ? ORDER BY year', params: [1980] },
      { config: { connection_string: `sqlite:///${path}` } },
    );

    expect(result).toEqual({
      columns: ['title', 'year'],
      rows: [
        { title: 'Neuromancer', year: 1984 },
        { title: 'Hyperion', year: 1989 },
      ],
      row_count: 2,
      truncated: false,
    });
  });

  it('stops at max_rows and says the result was truncated', async () => {
    const path = await aSqliteFile();

    const result = await runTool(
      sqlQuery,
      { query: 'SELECT id FROM books ORDER BY id' },
      { config: { connection_string: path, max_rows: 2 } },
    );

    expect(result).toMatchObject({ rows: [{ id: 1 }, { id: 2 }], row_count: 2, truncated: true });
  });

  it.each([
    "INSERT INTO books (title) VALUES ('Snow Crash')",
    "UPDATE books SET title = 'x'",
    'DROP TABLE books',
    "ATTACH DATABASE '/tmp/other.db' AS other",
  ])('refuses %s in read-only mode', async (query) => {
    const path = await aSqliteFile();

    const running = runTool(sqlQuery, { query }, { config: { connection_string: path } });

    await expect(running).rejects.toMatchObject({ code: 'refused', message: expect.stringMatching(/read-only/) });
    expect(countBooks(path)).toBe(3);
  });

  it('writes when read_only is false', async () => {
    const path = await aSqliteFile();

    const result = await runTool(
      sqlQuery,
      { query: 'INSERT INTO books (title, year) VALUES (?, ?)', params: ['Snow Crash', 1992] },
      { config: { connection_string: path, read_only: false } },
    );

    expect(result).toEqual({ command: 'INSERT', affected_rows: 1 });
    expect(countBooks(path)).toBe(4);
  });

  it('reports a SQL error as invalid_input', async () => {
    const path = await aSqliteFile();

    const running = runTool(sqlQuery, { query: 'SELECT * FROM nope' }, { config: { connection_string: path } });

    await expect(running).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/no such table/),
    });
  });

  it('stops a runaway query at timeout_seconds without blocking the runtime', async () => {
    const path = await aSqliteFile();
    const endless = 'WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n';

    const running = runTool(
      sqlQuery,
      { query: endless },
      { config: { connection_string: path, timeout_seconds: 0.5 } },
    );

    await expect(running).rejects.toMatchObject({ code: 'timeout' });
  });

  it('fails when the SQLite file does not exist', async () => {
    const running = runTool(
      sqlQuery,
      { query: 'SELECT 1' },
      { config: { connection_string: '/nonexistent/astromesh/missing.db' } },
    );

    await expect(running).rejects.toMatchObject({ code: 'failed', message: expect.stringMatching(/could not open/) });
  });
});

describe('sql_query on PostgreSQL', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    await client.query(`CREATE TABLE orders (id serial PRIMARY KEY, customer text NOT NULL, total numeric NOT NULL);
      INSERT INTO orders (customer, total) VALUES ('ada', 12.5), ('linus', 40), ('grace', 7)`);
    await client.end();
  });

  afterAll(async () => {
    await database?.drop();
  });

  async function countOrders(): Promise<number> {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM orders');
    await client.end();
    return Number(rows[0]?.n);
  }

  it('returns columns and rows for a SELECT with params', async () => {
    const result = await runTool(
      sqlQuery,
      { query: 'SELECT customer FROM orders WHERE total > $1 ORDER BY customer', params: [10] },
      { config: { connection_string: database.url } },
    );

    expect(result).toEqual({
      columns: ['customer'],
      rows: [{ customer: 'ada' }, { customer: 'linus' }],
      row_count: 2,
      truncated: false,
    });
  });

  it('cuts the rows at max_rows', async () => {
    const result = await runTool(
      sqlQuery,
      { query: 'SELECT id FROM orders ORDER BY id' },
      { config: { connection_string: database.url, max_rows: 1 } },
    );

    expect(result).toMatchObject({ rows: [{ id: 1 }], truncated: true });
  });

  it.each([
    "INSERT INTO orders (customer, total) VALUES ('eve', 1)",
    "UPDATE orders SET total = 0 WHERE customer = 'ada'",
    'DROP TABLE orders',
  ])('refuses %s in read-only mode', async (query) => {
    const running = runTool(sqlQuery, { query }, { config: { connection_string: database.url } });

    await expect(running).rejects.toMatchObject({ code: 'refused', message: expect.stringMatching(/read-only/) });
    expect(await countOrders()).toBe(3);
  });

  it('refuses to commit its way out of the read-only transaction', async () => {
    const running = runTool(
      sqlQuery,
      { query: "COMMIT; INSERT INTO orders (customer, total) VALUES ('eve', 1)" },
      { config: { connection_string: database.url } },
    );

    await expect(running).rejects.toMatchObject({ code: 'invalid_input' });
    expect(await countOrders()).toBe(3);
  });

  it('refuses a data-modifying CTE in read-only mode', async () => {
    const running = runTool(
      sqlQuery,
      { query: 'WITH gone AS (DELETE FROM orders RETURNING id) SELECT count(*) FROM gone' },
      { config: { connection_string: database.url } },
    );

    await expect(running).rejects.toMatchObject({ code: 'refused' });
    expect(await countOrders()).toBe(3);
  });

  it('writes when read_only is false', async () => {
    const result = await runTool(
      sqlQuery,
      { query: 'UPDATE orders SET total = total WHERE customer = $1', params: ['grace'] },
      { config: { connection_string: database.url, read_only: false } },
    );

    expect(result).toEqual({ command: 'UPDATE', affected_rows: 1 });
  });

  it('reads the connection string from the credential named by connection_string_env', async () => {
    const result = await runTool(
      sqlQuery,
      { query: 'SELECT 1 AS one' },
      {
        config: { connection_string_env: 'ORDERS_DATABASE_URL' },
        credentials: credentialsFrom({ ORDERS_DATABASE_URL: database.url }),
      },
    );

    expect(result).toMatchObject({ rows: [{ one: 1 }] });
  });

  it('reports a syntax error as invalid_input', async () => {
    const running = runTool(sqlQuery, { query: 'SELEC 1' }, { config: { connection_string: database.url } });

    await expect(running).rejects.toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/syntax/) });
  });

  it('stops a long query at timeout_seconds', async () => {
    const running = runTool(
      sqlQuery,
      { query: 'SELECT pg_sleep(30)' },
      { config: { connection_string: database.url, timeout_seconds: 0.3 } },
    );

    await expect(running).rejects.toMatchObject({ code: 'timeout' });
  });
});

describe('sql_query configuration', () => {
  it('is not configured without a connection string', async () => {
    const running = runTool(sqlQuery, { query: 'SELECT 1' });

    await expect(running).rejects.toMatchObject({
      code: 'not_configured',
      message: expect.stringMatching(/connection_string/),
    });
  });

  it('is not configured for an unsupported database', async () => {
    const running = runTool(sqlQuery, { query: 'SELECT 1' }, { config: { connection_string: 'mysql://db/x' } });

    await expect(running).rejects.toMatchObject({ code: 'not_configured' });
  });
});

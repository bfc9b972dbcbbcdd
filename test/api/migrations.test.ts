import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../api/db/database.ts';
import { knownMigrations, migrate } from '../../api/db/migrate.ts';
import { createTestDatabase } from '../support/test-database.ts';

const migrationsDir = join(import.meta.dirname, '..', '..', 'api', 'db', 'migrations');

/** Every table the migration files create, read from their SQL. */
function tablesTheMigrationsCreate(): string[] {
  return knownMigrations().flatMap((migration) =>
    [
      ...readFileSync(join(migrationsDir, migration.file), 'utf8').matchAll(/CREATE TABLE (?:IF NOT EXISTS )?(\w+)/gi),
    ].map((match) => match[1] as string),
  );
}

describe('migrations, from an empty database', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function anEmptyDatabase(): Promise<{ url: string; pool: () => Database }> {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    return {
      url: database.url,
      pool: () => {
        const db = createDatabase(database.url, { log: pino({ level: 'silent' }) });
        cleanups.push(() => db.end());
        return db;
      },
    };
  }

  const tablesIn = async (db: Database) =>
    (
      await db.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
      )
    ).rows.map((row) => row.table_name);

  it('creates every table of every migration, and records each migration', async () => {
    const db = (await anEmptyDatabase()).pool();

    const applied = await migrate(db);

    expect(await tablesIn(db)).toEqual([...tablesTheMigrationsCreate(), 'schema_migrations'].sort());
    expect(applied).toEqual(knownMigrations().map(({ version, name }) => ({ version, name })));
  });

  it('changes nothing when run a second time', async () => {
    const db = (await anEmptyDatabase()).pool();
    await migrate(db);
    const before = (await db.query('SELECT version, name, applied_at FROM schema_migrations ORDER BY version')).rows;

    const applied = await migrate(db);

    expect(applied).toEqual([]);
    expect((await db.query('SELECT version, name, applied_at FROM schema_migrations ORDER BY version')).rows).toEqual(
      before,
    );
  });

  it('applies each migration once when two API replicas migrate at the same time', async () => {
    const database = await anEmptyDatabase();
    const [first, second] = [database.pool(), database.pool()];

    const results = await Promise.all([migrate(first), migrate(second)]);

    expect(results.flat()).toEqual(knownMigrations().map(({ version, name }) => ({ version, name })));
    expect((await first.query('SELECT count(*)::int AS count FROM schema_migrations')).rows[0]).toEqual({
      count: knownMigrations().length,
    });
  });
});

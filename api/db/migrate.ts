import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { extendTimeouts } from './database.ts';

const migrationsDir = join(import.meta.dirname, 'migrations');
// Any constant shared by every API replica: the advisory lock lets one of them migrate while the
// others wait, so replicas starting together never apply a migration twice.
const migrationLockKey = 7_316_001;
// A migration may rewrite a large table, and a replica waits here while another one migrates:
// the per-statement limit of requests would cut either short. A stuck database still ends it.
const migrationLimitMs = 30 * 60_000;

export interface AppliedMigration {
  version: number;
  name: string;
}

/** Applies, in order and each in its own transaction, every migration not applied yet. */
export async function migrate(pool: pg.Pool): Promise<AppliedMigration[]> {
  const client = await pool.connect();
  try {
    await extendTimeouts(client, migrationLimitMs, 'session');
    await client.query('SELECT pg_advisory_lock($1)', [migrationLockKey]);
    await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const done = new Set(
      (await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((row) => row.version),
    );
    const applied: AppliedMigration[] = [];
    for (const migration of pendingMigrations(done)) {
      await client.query('BEGIN');
      try {
        await client.query(migration.sql);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
          migration.version,
          migration.name,
        ]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${migration.version} (${migration.name}) failed: ${(err as Error).message}`, {
          cause: err,
        });
      }
      applied.push({ version: migration.version, name: migration.name });
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [migrationLockKey]).catch(() => undefined);
    // Closed rather than pooled: its session has the migration's limits, not those of requests.
    client.release(true);
  }
}

/** Every migration this build has, in order; readiness checks the database has them all. */
export function knownMigrations(): (AppliedMigration & { file: string })[] {
  return readdirSync(migrationsDir)
    .filter((file) => /^\d{3}_[a-z0-9_]+\.sql$/.test(file))
    .sort()
    .map((file) => ({ version: Number(file.slice(0, 3)), name: file.slice(4, -4), file }));
}

function pendingMigrations(done: Set<number>) {
  return knownMigrations()
    .filter((migration) => !done.has(migration.version))
    .map((migration) => ({ ...migration, sql: readFileSync(join(migrationsDir, migration.file), 'utf8') }));
}

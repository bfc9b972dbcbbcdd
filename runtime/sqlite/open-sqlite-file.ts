import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

// Two runtimes (or a runtime and a sqlite3 shell) on one file wait for each other's writes
// instead of failing at once with SQLITE_BUSY. node:sqlite is synchronous, so that wait blocks
// the event loop: short, and it happens only when another process shares the file (one runtime
// opens each file once).
const busyTimeoutMs = 2_000;

/**
 * A SQLite file of the runtime's own (node:sqlite), created with its folder when missing, in WAL
 * mode with foreign keys on, and `schema` (idempotent DDL) applied. A file that cannot be opened
 * or set up throws, and is left closed.
 */
export function openSqliteFile(file: string, schema: string): DatabaseSync {
  mkdirSync(dirname(file), { recursive: true });
  const db = new DatabaseSync(file);
  try {
    db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA busy_timeout = ${busyTimeoutMs};
      PRAGMA foreign_keys = ON;
      ${schema}
    `);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** Runs `work` in one write transaction (BEGIN IMMEDIATE: writers are serialised), rolled back if it throws. */
export function inWriteTransaction<T>(db: DatabaseSync, work: () => T): T {
  db.exec('BEGIN IMMEDIATE');
  try {
    const result = work();
    db.exec('COMMIT');
    return result;
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
}

import { constants, DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import type { ToolErrorCode } from '../tool-types.ts';
import type { SqlParam, SqlResult } from './sql-request.ts';

// Runs in a worker thread started by query-sqlite.ts; imports only types besides node built-ins.

export interface SqliteJob {
  path: string;
  query: string;
  params: SqlParam[];
  readOnly: boolean;
  maxRows: number;
}

export type SqliteOutcome = { ok: true; result: SqlResult } | { ok: false; code: ToolErrorCode; message: string };

// Read-only mode allows reading and nothing else: no ATTACH (which would open other files), no
// PRAGMA, no writes. The file is also opened read-only, so SQLite itself refuses writes too.
const readOnlyActions = new Set([
  constants.SQLITE_SELECT,
  constants.SQLITE_READ,
  constants.SQLITE_FUNCTION,
  constants.SQLITE_RECURSIVE,
]);
const sqliteAuthErrcode = 23;
const sqliteReadonlyErrcode = 8;

function run(job: SqliteJob): SqliteOutcome {
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(job.path, { readOnly: job.readOnly });
  } catch (err) {
    return { ok: false, code: 'failed', message: `could not open the SQLite database: ${(err as Error).message}` };
  }
  try {
    if (job.readOnly) {
      db.setAuthorizer((action) => (readOnlyActions.has(action) ? constants.SQLITE_OK : constants.SQLITE_DENY));
    }
    const statement = db.prepare(job.query);
    // SQLite has no boolean type; it stores them as 1 and 0.
    const params = job.params.map((param) => (typeof param === 'boolean' ? Number(param) : param));
    if (statement.columns().length === 0) {
      const { changes } = statement.run(...params);
      const command = job.query.trim().split(/\s+/)[0]?.toUpperCase() ?? '';
      return { ok: true, result: { command, affected_rows: Number(changes) } };
    }
    const rows: Record<string, unknown>[] = [];
    let truncated = false;
    for (const row of statement.iterate(...params)) {
      if (rows.length === job.maxRows) {
        truncated = true;
        break;
      }
      rows.push({ ...row });
    }
    const columns = statement.columns().map((column) => column.name);
    return { ok: true, result: { columns, rows, row_count: rows.length, truncated } };
  } catch (err) {
    return failure(err as Error & { errcode?: number });
  } finally {
    db.close();
  }
}

function failure(err: Error & { errcode?: number }): SqliteOutcome {
  if (err.errcode === sqliteAuthErrcode || err.errcode === sqliteReadonlyErrcode) {
    return { ok: false, code: 'refused', message: 'sql_query is read-only: only SELECT statements are allowed' };
  }
  return { ok: false, code: 'invalid_input', message: `query: ${err.message}` };
}

parentPort?.postMessage(run(workerData as SqliteJob));

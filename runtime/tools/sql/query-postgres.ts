import pg from 'pg';
import { ToolError } from '../tool-types.ts';
import type { SqlRequest, SqlResult } from './sql-request.ts';

/**
 * Runs one statement on PostgreSQL. In read-only mode it runs inside a READ ONLY transaction
 * that is always rolled back, on a session whose default is read-only too, and through the
 * extended query protocol, which takes exactly one statement: "COMMIT; DROP TABLE x" cannot end
 * the read-only transaction and go on. The database, not a keyword list, refuses writes.
 */
export async function queryPostgres(connectionString: string, request: SqlRequest): Promise<SqlResult> {
  const client = new pg.Client({
    connectionString,
    connectionTimeoutMillis: request.timeoutMs,
    statement_timeout: request.timeoutMs,
    application_name: 'astromesh-sql-query',
    ...(request.readOnly ? { options: '-c default_transaction_read_only=on' } : {}),
  });
  const endClient = () => void client.end().catch(() => {});
  request.signal.addEventListener('abort', endClient, { once: true });
  try {
    await connect(client);
    if (request.readOnly) await client.query('BEGIN READ ONLY');
    const statement: pg.QueryConfig & { queryMode: 'extended' } = {
      text: request.query,
      values: request.params,
      queryMode: 'extended',
    };
    const result = await client.query(statement).catch((err: unknown) => {
      throw asToolError(err);
    });
    if (request.readOnly) await client.query('ROLLBACK');
    if (result.fields.length === 0) return { command: result.command, affected_rows: result.rowCount ?? 0 };
    const rows = result.rows.slice(0, request.maxRows);
    return {
      columns: result.fields.map((field) => field.name),
      rows,
      row_count: rows.length,
      truncated: result.rows.length > rows.length,
    };
  } finally {
    request.signal.removeEventListener('abort', endClient);
    await client.end().catch(() => {});
  }
}

async function connect(client: pg.Client): Promise<void> {
  try {
    await client.connect();
  } catch (err) {
    // The driver's message never includes the password; the connection string might, so it is not echoed.
    throw new ToolError('failed', `could not connect to the database: ${(err as Error).message}`);
  }
}

function asToolError(err: unknown): ToolError {
  const message = (err as Error).message;
  const sqlState = (err as { code?: unknown }).code;
  if (sqlState === '25006') return new ToolError('refused', `sql_query is read-only: ${message}`);
  if (sqlState === '57014') return new ToolError('timeout', `the query was cancelled: ${message}`);
  // Class 42 (syntax error, unknown table or column, privilege) and 22 (bad data) are the model's to fix.
  if (typeof sqlState === 'string' && /^(42|22)/.test(sqlState))
    return new ToolError('invalid_input', `query: ${message}`);
  if (/multiple commands/.test(message)) return new ToolError('invalid_input', 'query: send one statement at a time');
  return new ToolError('failed', `the query failed: ${message}`);
}

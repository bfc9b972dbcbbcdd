import { Worker } from 'node:worker_threads';
import { ToolError } from '../tool-types.ts';
import type { SqlRequest, SqlResult } from './sql-request.ts';
import type { SqliteJob, SqliteOutcome } from './sqlite-worker.ts';

/**
 * Runs one statement on a SQLite file. node:sqlite is synchronous and cannot be interrupted, so
 * the query runs in a worker thread that is terminated on timeout or abort: a runaway recursive
 * query must not freeze the runtime's event loop for every other agent.
 */
export function querySqlite(path: string, request: SqlRequest): Promise<SqlResult> {
  const job: SqliteJob = {
    path,
    query: request.query,
    params: request.params,
    readOnly: request.readOnly,
    maxRows: request.maxRows,
  };
  const worker = new Worker(new URL('./sqlite-worker.ts', import.meta.url), { workerData: job });
  return new Promise<SqlResult>((resolve, reject) => {
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      request.signal.removeEventListener('abort', onAbort);
      void worker.terminate();
      settle();
    };
    const timer = setTimeout(
      () => finish(() => reject(new ToolError('timeout', `the query ran longer than ${request.timeoutMs / 1000} s`))),
      request.timeoutMs,
    );
    const onAbort = () => finish(() => reject(request.signal.reason));
    request.signal.addEventListener('abort', onAbort, { once: true });
    worker.once('message', (outcome: SqliteOutcome) =>
      finish(() => (outcome.ok ? resolve(outcome.result) : reject(new ToolError(outcome.code, outcome.message)))),
    );
    worker.once('error', (err) => finish(() => reject(new ToolError('failed', `the query failed: ${err.message}`))));
  });
}

import type { Queryable } from '../db/database.ts';
import type { BackgroundRunStatus, RunFailure } from './background-runs-store.ts';

/** One stored event: `seq` is its SSE id; `data` is the event as sent, `type` included. */
export interface StoredRunEvent {
  seq: number;
  data: { type: string } & Record<string, unknown>;
}

const finalTypes = ['done', 'error', 'cancelled'];
export const isFinalEvent = (event: StoredRunEvent) => finalTypes.includes(event.data.type);

/**
 * Appends events of an active run, and tells readers on `channel`. Nothing is written once the run
 * has finished (a lost replica's late writes), nor twice (a retried batch).
 */
export async function appendRunEvents(
  db: Queryable,
  input: { runId: string; events: StoredRunEvent[]; channel: string },
): Promise<void> {
  await db.query(
    `WITH written AS (
       INSERT INTO background_run_events (run_id, seq, type, data)
       SELECT $1, e.seq, e.data->>'type', e.data FROM jsonb_to_recordset($2::jsonb) AS e(seq integer, data jsonb)
        WHERE EXISTS (SELECT 1 FROM background_runs WHERE id = $1 AND status IN ('queued', 'running'))
       ON CONFLICT DO NOTHING
       RETURNING 1)
     SELECT pg_notify($3, $1::text) WHERE EXISTS (SELECT 1 FROM written)`,
    [input.runId, JSON.stringify(input.events), input.channel],
  );
}

/**
 * Ends an active run in one statement: its state and outcome, its last events (the final one
 * included), and a notice to readers. False when the run had already ended (cancelled by a sweep).
 */
export async function finishBackgroundRun(
  db: Queryable,
  input: {
    runId: string;
    status: Extract<BackgroundRunStatus, 'succeeded' | 'failed' | 'cancelled'>;
    result: Record<string, unknown> | null;
    error: RunFailure | null;
    events: StoredRunEvent[];
    channel: string;
  },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `WITH finished AS (
       UPDATE background_runs
          SET status = $2, result = $3::jsonb, error = $4::jsonb, finished_at = now(), lease_expires_at = NULL
        WHERE id = $1 AND status IN ('queued', 'running')
        RETURNING id),
     written AS (
       INSERT INTO background_run_events (run_id, seq, type, data)
       SELECT $1, e.seq, e.data->>'type', e.data FROM jsonb_to_recordset($5::jsonb) AS e(seq integer, data jsonb)
        WHERE EXISTS (SELECT 1 FROM finished)
       ON CONFLICT DO NOTHING)
     SELECT pg_notify($6, id::text) FROM finished`,
    [
      input.runId,
      input.status,
      input.result === null ? null : JSON.stringify(input.result),
      input.error === null ? null : JSON.stringify(input.error),
      JSON.stringify(input.events),
      input.channel,
    ],
  );
  return rowCount === 1;
}

/** The run's events after `afterSeq`, in order, at most `limit`. */
export async function listRunEvents(
  db: Queryable,
  input: { runId: string; afterSeq: number; limit: number },
): Promise<StoredRunEvent[]> {
  const { rows } = await db.query<StoredRunEvent>(
    `SELECT seq, data FROM background_run_events WHERE run_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
    [input.runId, input.afterSeq, input.limit],
  );
  return rows;
}

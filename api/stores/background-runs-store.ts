import type { Queryable } from '../db/database.ts';

// Every lease and retention bound is computed with PostgreSQL's now(): the one clock all replicas share.

export type BackgroundRunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';
export const activeStatuses: readonly BackgroundRunStatus[] = ['queued', 'running'];

/** Who started a run: an API call, or (issue 16, items 5 and 6) a schedule or a webhook by its id. */
export type RunOrigin = { kind: 'api' } | { kind: 'schedule'; id: string } | { kind: 'webhook'; id: string };

export interface RunFailure {
  code: string;
  message: string;
}

export interface BackgroundRunRecord {
  id: string;
  /** The paging position (a bigint as text). */
  position: string;
  orgId: string;
  agentName: string;
  status: BackgroundRunStatus;
  origin: RunOrigin;
  cancelRequestedAt: Date | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  result: Record<string, unknown> | null;
  error: RunFailure | null;
}

interface BackgroundRunRow {
  id: string;
  position: string;
  org_id: string;
  agent_name: string;
  status: BackgroundRunStatus;
  origin_kind: RunOrigin['kind'];
  origin_id: string | null;
  cancel_requested_at: Date | null;
  created_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
  result: Record<string, unknown> | null;
  error: RunFailure | null;
}

const columns = `id, position::text, org_id, agent_name, status, origin_kind, origin_id, cancel_requested_at,
  created_at, started_at, finished_at, result, error`;

const toRecord = (row: BackgroundRunRow): BackgroundRunRecord => ({
  id: row.id,
  position: row.position,
  orgId: row.org_id,
  agentName: row.agent_name,
  status: row.status,
  origin: row.origin_kind === 'api' ? { kind: 'api' } : { kind: row.origin_kind, id: row.origin_id ?? '' },
  cancelRequestedAt: row.cancel_requested_at,
  createdAt: row.created_at,
  startedAt: row.started_at,
  finishedAt: row.finished_at,
  result: row.result,
  error: row.error,
});

/** A new run, queued and held by `holder` for `leaseSeconds`. */
export async function insertBackgroundRun(
  db: Queryable,
  input: { id: string; orgId: string; agentName: string; origin: RunOrigin; holder: string; leaseSeconds: number },
): Promise<BackgroundRunRecord> {
  const { rows } = await db.query<BackgroundRunRow>(
    `INSERT INTO background_runs (id, org_id, agent_name, status, origin_kind, origin_id, holder, lease_expires_at)
     VALUES ($1, $2, $3, 'queued', $4, $5, $6, now() + make_interval(secs => $7))
     RETURNING ${columns}`,
    [
      input.id,
      input.orgId,
      input.agentName,
      input.origin.kind,
      'id' in input.origin ? input.origin.id : null,
      input.holder,
      input.leaseSeconds,
    ],
  );
  return toRecord(rows[0] as BackgroundRunRow);
}

/** Removes a run that was refused at its start (daily limit, agent not deployed): it never existed. */
export async function deleteBackgroundRun(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM background_runs WHERE id = $1', [id]);
}

export async function markBackgroundRunRunning(db: Queryable, id: string): Promise<void> {
  await db.query(
    `UPDATE background_runs SET status = 'running', started_at = now() WHERE id = $1 AND status = 'queued'`,
    [id],
  );
}

export async function findBackgroundRun(
  db: Queryable,
  input: { orgId: string; id: string },
): Promise<BackgroundRunRecord | undefined> {
  const { rows } = await db.query<BackgroundRunRow>(
    `SELECT ${columns} FROM background_runs WHERE id = $1 AND org_id = $2`,
    [input.id, input.orgId],
  );
  return rows[0] && toRecord(rows[0]);
}

/** The agent's runs, newest first, older than `beforePosition` when given. */
export async function listBackgroundRuns(
  db: Queryable,
  input: { orgId: string; agentName: string; beforePosition?: string; limit: number },
): Promise<BackgroundRunRecord[]> {
  const { rows } = await db.query<BackgroundRunRow>(
    `SELECT ${columns} FROM background_runs
      WHERE org_id = $1 AND agent_name = $2 AND ($3::bigint IS NULL OR background_runs.position < $3)
      ORDER BY background_runs.position DESC
      LIMIT $4`,
    [input.orgId, input.agentName, input.beforePosition ?? null, input.limit],
  );
  return rows.map(toRecord);
}

/**
 * Asks for an active run's cancellation (the first ask's time is kept) and tells every replica on
 * `noticeChannel`. Undefined when the org has no such run; the run as it is when it has finished.
 */
export async function requestCancellation(
  db: Queryable,
  input: { orgId: string; id: string; noticeChannel: string },
): Promise<BackgroundRunRecord | undefined> {
  const { rows } = await db.query<BackgroundRunRow>(
    `UPDATE background_runs SET cancel_requested_at = coalesce(cancel_requested_at, now())
      WHERE id = $1 AND org_id = $2 AND status IN ('queued', 'running')
      RETURNING ${columns}`,
    [input.id, input.orgId],
  );
  const asked = rows[0];
  if (!asked) return findBackgroundRun(db, input);
  await db.query('SELECT pg_notify($1, $2)', [input.noticeChannel, input.id]);
  return toRecord(asked);
}

/** Renews the leases of the active runs `holder` executes; returns those whose cancellation was asked. */
export async function renewRunLeases(
  db: Queryable,
  input: { holder: string; leaseSeconds: number },
): Promise<string[]> {
  const { rows } = await db.query<{ id: string; cancel_requested_at: Date | null }>(
    `UPDATE background_runs SET lease_expires_at = now() + make_interval(secs => $2)
      WHERE holder = $1 AND status IN ('queued', 'running')
      RETURNING id, cancel_requested_at`,
    [input.holder, input.leaseSeconds],
  );
  return rows.filter((row) => row.cancel_requested_at !== null).map((row) => row.id);
}

/**
 * Fails every active run whose lease lapsed (its replica died or lost the database for a whole
 * lease), with a final `error` event after its last one, and tells readers on `eventChannel`.
 */
export async function failRunsOfLostReplicas(
  db: Queryable,
  input: { failure: RunFailure & { status: number }; eventChannel: string },
): Promise<number> {
  const { code, message, status } = input.failure;
  const { rowCount } = await db.query(
    `WITH lost AS (
       UPDATE background_runs
          SET status = 'failed', finished_at = now(), lease_expires_at = NULL, error = $1::jsonb
        WHERE status IN ('queued', 'running') AND lease_expires_at < now()
        RETURNING id),
     final AS (
       INSERT INTO background_run_events (run_id, seq, type, data)
       SELECT lost.id,
              coalesce((SELECT max(seq) FROM background_run_events e WHERE e.run_id = lost.id), 0) + 1,
              'error', $2::jsonb
         FROM lost
       ON CONFLICT DO NOTHING)
     SELECT pg_notify($3, id::text) FROM lost`,
    [
      JSON.stringify({ code, message }),
      JSON.stringify({ type: 'error', error: code, message, status }),
      input.eventChannel,
    ],
  );
  return rowCount ?? 0;
}

/** Deletes events of runs finished `eventsHours` ago, and runs finished `runsHours` ago. */
export async function pruneBackgroundRuns(
  db: Queryable,
  input: { eventsHours: number; runsHours: number },
): Promise<void> {
  await db.query(
    `DELETE FROM background_run_events e USING background_runs r
      WHERE e.run_id = r.id AND r.finished_at < now() - make_interval(hours => $1)`,
    [input.eventsHours],
  );
  await db.query('DELETE FROM background_runs WHERE finished_at < now() - make_interval(hours => $1)', [
    input.runsHours,
  ]);
}

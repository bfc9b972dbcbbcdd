import type { Queryable } from '../db/database.ts';
import type { BackgroundRunStatus, RunFailure } from './background-runs-store.ts';

// Which tick is due is decided by PostgreSQL's now(): the one clock all replicas share.

/** The last tick of a schedule: the run it started, or why none was started. */
export interface LastTick {
  tickAt: Date;
  /** started: run_id names the run; refused: error says why; claimed: its run is being started. */
  status: 'claimed' | 'started' | 'refused';
  runId: string | null;
  /** The run's own status, while the run is kept. */
  runStatus: BackgroundRunStatus | null;
  error: RunFailure | null;
}

export interface ScheduleRecord {
  id: string;
  orgId: string;
  agentName: string;
  cron: string;
  timezone: string;
  input: Record<string, unknown>;
  enabled: boolean;
  nextRunAt: Date | null;
  skippedTicks: number;
  createdAt: Date;
  updatedAt: Date;
  lastTick: LastTick | null;
}

interface ScheduleRow {
  id: string;
  org_id: string;
  agent_name: string;
  cron: string;
  timezone: string;
  input: Record<string, unknown>;
  enabled: boolean;
  next_run_at: Date | null;
  skipped_ticks: string;
  created_at: Date;
  updated_at: Date;
  tick_at: Date | null;
  tick_status: LastTick['status'] | null;
  run_id: string | null;
  run_status: BackgroundRunStatus | null;
  tick_error: RunFailure | null;
}

const selectSchedules = `
  SELECT s.id, s.org_id, a.name AS agent_name, s.cron, s.timezone, s.input, s.enabled, s.next_run_at,
         s.skipped_ticks::text, s.created_at, s.updated_at,
         t.tick_at, t.status AS tick_status, t.run_id, r.status AS run_status, t.error AS tick_error
    FROM schedules s
    JOIN agents a ON a.id = s.agent_id
    LEFT JOIN LATERAL (
      SELECT * FROM schedule_ticks WHERE schedule_id = s.id ORDER BY tick_at DESC LIMIT 1
    ) t ON true
    LEFT JOIN background_runs r ON r.id = t.run_id`;

const toRecord = (row: ScheduleRow): ScheduleRecord => ({
  id: row.id,
  orgId: row.org_id,
  agentName: row.agent_name,
  cron: row.cron,
  timezone: row.timezone,
  input: row.input,
  enabled: row.enabled,
  nextRunAt: row.next_run_at,
  skippedTicks: Number(row.skipped_ticks),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  lastTick:
    row.tick_at && row.tick_status
      ? {
          tickAt: row.tick_at,
          status: row.tick_status,
          runId: row.run_id,
          runStatus: row.run_status,
          error: row.tick_error,
        }
      : null,
});

export interface NewSchedule {
  id: string;
  orgId: string;
  agentId: string;
  cron: string;
  timezone: string;
  input: Record<string, unknown>;
  enabled: boolean;
  nextRunAt: Date | null;
  createdBy: string | null;
}

/** The agent's and the org's schedule counts, read under the agent row's lock (see insertSchedule). */
export async function countSchedules(
  db: Queryable,
  input: { orgId: string; agentId: string },
): Promise<{ agent: number; org: number }> {
  const { rows } = await db.query<{ agent: string; org: string }>(
    `SELECT count(*) FILTER (WHERE agent_id = $2)::text AS agent, count(*)::text AS org
       FROM schedules WHERE org_id = $1`,
    [input.orgId, input.agentId],
  );
  return { agent: Number(rows[0]?.agent ?? 0), org: Number(rows[0]?.org ?? 0) };
}

export async function insertSchedule(db: Queryable, schedule: NewSchedule): Promise<void> {
  await db.query(
    `INSERT INTO schedules (id, org_id, agent_id, cron, timezone, input, enabled, next_run_at, created_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
    [
      schedule.id,
      schedule.orgId,
      schedule.agentId,
      schedule.cron,
      schedule.timezone,
      JSON.stringify(schedule.input),
      schedule.enabled,
      schedule.nextRunAt,
      schedule.createdBy,
    ],
  );
}

export async function findSchedule(
  db: Queryable,
  input: { orgId: string; agentName: string; id: string },
): Promise<ScheduleRecord | undefined> {
  const { rows } = await db.query<ScheduleRow>(`${selectSchedules} WHERE s.org_id = $1 AND a.name = $2 AND s.id = $3`, [
    input.orgId,
    input.agentName,
    input.id,
  ]);
  return rows[0] && toRecord(rows[0]);
}

export async function listSchedules(
  db: Queryable,
  input: { orgId: string; agentName: string },
): Promise<ScheduleRecord[]> {
  const { rows } = await db.query<ScheduleRow>(
    `${selectSchedules} WHERE s.org_id = $1 AND a.name = $2 ORDER BY s.created_at, s.id`,
    [input.orgId, input.agentName],
  );
  return rows.map(toRecord);
}

/** Replaces what a PATCH changes; next_run_at is recomputed by the caller from the new cron and zone. */
export async function updateSchedule(
  db: Queryable,
  input: {
    id: string;
    cron: string;
    timezone: string;
    input: Record<string, unknown>;
    enabled: boolean;
    nextRunAt: Date | null;
  },
): Promise<void> {
  await db.query(
    `UPDATE schedules SET cron = $2, timezone = $3, input = $4, enabled = $5, next_run_at = $6, updated_at = now()
      WHERE id = $1`,
    [input.id, input.cron, input.timezone, JSON.stringify(input.input), input.enabled, input.nextRunAt],
  );
}

export async function deleteSchedule(db: Queryable, input: { orgId: string; id: string }): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM schedules WHERE id = $1 AND org_id = $2', [input.id, input.orgId]);
  return (rowCount ?? 0) > 0;
}

/** A schedule whose next tick has come, with what starting its run needs. */
export interface DueSchedule {
  id: string;
  orgId: string;
  orgSlug: string;
  agentName: string;
  cron: string;
  timezone: string;
  input: Record<string, unknown>;
  nextRunAt: Date;
  createdBy: string | null;
  /** PostgreSQL's now() when read. */
  now: Date;
}

export async function listDueSchedules(db: Queryable, input: { limit: number }): Promise<DueSchedule[]> {
  const { rows } = await db.query<{
    id: string;
    org_id: string;
    slug: string;
    agent_name: string;
    cron: string;
    timezone: string;
    input: Record<string, unknown>;
    next_run_at: Date;
    created_by: string | null;
    now: Date;
  }>(
    `SELECT s.id, s.org_id, o.slug, a.name AS agent_name, s.cron, s.timezone, s.input, s.next_run_at, s.created_by,
            now() AS now
       FROM schedules s JOIN agents a ON a.id = s.agent_id JOIN orgs o ON o.id = s.org_id
      WHERE s.enabled AND s.next_run_at <= now()
      ORDER BY s.next_run_at
      LIMIT $1`,
    [input.limit],
  );
  return rows.map((row) => ({
    id: row.id,
    orgId: row.org_id,
    orgSlug: row.slug,
    agentName: row.agent_name,
    cron: row.cron,
    timezone: row.timezone,
    input: row.input,
    nextRunAt: row.next_run_at,
    createdBy: row.created_by,
    now: row.now,
  }));
}

/**
 * Claims the schedule's due tick: moves next_run_at from `dueAt` (as this replica read it) to
 * `nextRunAt`, adds the skipped ticks, and, when `tickAt` is given, records that tick as claimed.
 * Only one replica's update matches `next_run_at = dueAt`: true for it, false for every other.
 */
export async function claimTick(
  db: Queryable,
  input: { scheduleId: string; dueAt: Date; nextRunAt: Date | null; skipped: number; tickAt: Date | null },
): Promise<boolean> {
  const { rows } = await db.query<{ claimed: boolean }>(
    `WITH claimed AS (
       UPDATE schedules SET next_run_at = $3, skipped_ticks = skipped_ticks + $4
        WHERE id = $1 AND enabled AND next_run_at = $2
        RETURNING id
     ), tick AS (
       INSERT INTO schedule_ticks (schedule_id, tick_at, status, skipped_before)
       SELECT id, $5, 'claimed', $4 FROM claimed WHERE $5::timestamptz IS NOT NULL
       RETURNING schedule_id
     )
     SELECT EXISTS (SELECT 1 FROM claimed) AS claimed`,
    [input.scheduleId, input.dueAt, input.nextRunAt, input.skipped, input.tickAt],
  );
  return rows[0]?.claimed === true;
}

/** What became of a claimed tick: its run, or why it was refused. */
export async function recordTickOutcome(
  db: Queryable,
  input: { scheduleId: string; tickAt: Date } & (
    | { status: 'started'; runId: string }
    | { status: 'refused'; error: RunFailure }
  ),
): Promise<void> {
  await db.query(
    `UPDATE schedule_ticks SET status = $3, run_id = $4, error = $5 WHERE schedule_id = $1 AND tick_at = $2`,
    [
      input.scheduleId,
      input.tickAt,
      input.status,
      input.status === 'started' ? input.runId : null,
      input.status === 'refused' ? JSON.stringify(input.error) : null,
    ],
  );
}

/** Tick records older than `hours` (a schedule's last tick is kept whatever its age). */
export async function pruneScheduleTicks(db: Queryable, input: { hours: number }): Promise<void> {
  await db.query(
    `DELETE FROM schedule_ticks t
      WHERE claimed_at < now() - make_interval(hours => $1)
        AND tick_at < (SELECT max(tick_at) FROM schedule_ticks l WHERE l.schedule_id = t.schedule_id)`,
    [input.hours],
  );
}

/**
 * Ticks claimed longer than `seconds` ago whose run was never recorded: the replica that claimed
 * them stopped in between. Recorded as refused (replica_lost): the tick is lost, never run twice.
 */
export async function failAbandonedTicks(db: Queryable, input: { seconds: number }): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE schedule_ticks SET status = 'refused', error = $2
      WHERE status = 'claimed' AND claimed_at < now() - make_interval(secs => $1)`,
    [
      input.seconds,
      JSON.stringify({
        code: 'replica_lost',
        message: 'the API replica that claimed this tick stopped before starting its run; the next tick runs as usual',
      }),
    ],
  );
  return rowCount ?? 0;
}

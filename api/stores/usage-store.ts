import type { Queryable } from '../db/database.ts';
import { type AgentRecord, type AgentRow, toRecord } from './agents-store.ts';

/**
 * How a run ended. `not_served`: the runtime refused it or no model answered (runtime
 * unreachable, every provider failed); its daily-run reservation was given back, and it is not
 * counted in the usage totals.
 */
export type UsageOutcome = 'ok' | 'failed' | 'cancelled' | 'not_served';

export interface UsageRecord {
  /** Chosen once per settlement: writing the same record again (a retry) adds nothing. */
  settlementId: string;
  orgId: string;
  agentName: string;
  kind: 'run' | 'stream';
  tokensIn: number;
  tokensOut: number;
  model: string | null;
  latencyMs: number;
  outcome: UsageOutcome;
  createdAt: Date;
  /** The agent version that answered, as its runtime said; null (or absent) when it did not say. */
  agentVersion?: number | null;
  /** The run's price in nano-dollars (USD × 1e9); null (or absent) when its model is unpriced. */
  costNanoUsd?: number | null;
}

export interface UsageCount {
  requests: number;
  tokens: number;
  /** Sum of the priced runs' costs, nano-dollars. */
  costNanoUsd: number;
  /** Runs whose model had no price: counted in requests and tokens, not in the cost. */
  unpricedRuns: number;
}

/**
 * The agent of a run and, when it is deployed, one run of the org's `day` taken for it: one round
 * trip for what every run needs first (the row lock of ON CONFLICT DO UPDATE and the re-checked WHERE make concurrent callers
 * queue on the counter row, so exactly `limit` of them ever get a number). `runs` is
 * undefined when the agent is not deployed or the day's runs are used up; undefined altogether
 * when the org has no agent of that name.
 */
export async function reserveRunOfAgent(
  db: Queryable,
  input: { orgId: string; agentName: string; day: string; limit: number },
): Promise<{ agent: AgentRecord; runs: number | undefined } | undefined> {
  const { rows } = await db.query<AgentRow & { reserved_runs: number | null }>({
    name: 'reserve-run-of-agent',
    // The commit does not wait for its WAL flush (synchronous_commit off for this transaction
    // alone, set in the statement itself): a run starts ~0.3 ms sooner. Only a crash of PostgreSQL
    // itself can lose the last moment's reservations (3 x wal_writer_delay, 0.6 s by default):
    // those runs are then not counted against that day's limit; their usage records, written
    // durably, still are in usage. Other sessions see the new count at once, as before.
    text: `WITH agent AS (SELECT * FROM agents WHERE org_id = $1 AND name = $2),
     no_flush_wait AS (SELECT set_config('synchronous_commit', 'off', true)),
     reserved AS (
       INSERT INTO daily_run_counters AS counter (org_id, day, runs)
       SELECT $1, $3, 1 FROM agent, no_flush_wait WHERE agent.status = 'deployed'
       ON CONFLICT (org_id, day) DO UPDATE SET runs = counter.runs + 1 WHERE counter.runs < $4
       RETURNING runs)
     SELECT agent.*, (SELECT runs FROM reserved) AS reserved_runs FROM agent`,
    values: [input.orgId, input.agentName, input.day, input.limit],
  });
  const row = rows[0];
  if (!row) return undefined;
  return { agent: toRecord(row), runs: row.reserved_runs ?? undefined };
}

/** Gives back one run reserved on `day` (the reservation's day, not today's: a run may cross midnight). */
export async function releaseDailyRun(db: Queryable, input: { orgId: string; day: string }): Promise<void> {
  await db.query('UPDATE daily_run_counters SET runs = runs - 1 WHERE org_id = $1 AND day = $2 AND runs > 0', [
    input.orgId,
    input.day,
  ]);
}

export async function dailyRunsOf(db: Queryable, input: { orgId: string; day: string }): Promise<number> {
  const { rows } = await db.query<{ runs: number }>(
    'SELECT runs FROM daily_run_counters WHERE org_id = $1 AND day = $2',
    [input.orgId, input.day],
  );
  return rows[0]?.runs ?? 0;
}

/** Inserts the record unless a record of the same settlement exists; true when it inserted. */
export async function insertUsageRecord(db: Queryable, record: UsageRecord): Promise<boolean> {
  const { rowCount } = await db.query({
    name: 'insert-usage-record',
    text: `INSERT INTO usage_records
       (settlement_id, org_id, agent_name, kind, tokens_in, tokens_out, model, latency_ms, outcome, created_at,
        agent_version, cost_nano_usd)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
     ON CONFLICT (settlement_id) DO NOTHING`,
    values: [
      record.settlementId,
      record.orgId,
      record.agentName,
      record.kind,
      record.tokensIn,
      record.tokensOut,
      record.model,
      record.latencyMs,
      record.outcome,
      record.createdAt,
      record.agentVersion ?? null,
      record.costNanoUsd ?? null,
    ],
  });
  return rowCount === 1;
}

/** Inserts the records in one statement, skipping any whose settlement was written before. */
export async function insertUsageRecords(db: Queryable, records: UsageRecord[]): Promise<void> {
  await db.query({
    name: 'insert-usage-records',
    text: `INSERT INTO usage_records
       (settlement_id, org_id, agent_name, kind, tokens_in, tokens_out, model, latency_ms, outcome, created_at,
        agent_version, cost_nano_usd)
     SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::integer[], $6::integer[],
                          $7::text[], $8::integer[], $9::text[], $10::timestamptz[], $11::integer[], $12::bigint[])
     ON CONFLICT (settlement_id) DO NOTHING`,
    values: [
      records.map((record) => record.settlementId),
      records.map((record) => record.orgId),
      records.map((record) => record.agentName),
      records.map((record) => record.kind),
      records.map((record) => record.tokensIn),
      records.map((record) => record.tokensOut),
      records.map((record) => record.model),
      records.map((record) => record.latencyMs),
      records.map((record) => record.outcome),
      records.map((record) => record.createdAt),
      records.map((record) => record.agentVersion ?? null),
      records.map((record) => record.costNanoUsd ?? null),
    ],
  });
}

// bigint sums arrive as strings; nano-dollar sums stay below 2^53 (9 million USD) per org and period.
const counts = `count(*) AS requests, coalesce(sum(tokens_in + tokens_out), 0) AS tokens,
  coalesce(sum(cost_nano_usd), 0) AS cost_nano_usd, count(*) FILTER (WHERE cost_nano_usd IS NULL) AS unpriced_runs`;
interface CountRow {
  requests: string;
  tokens: string;
  cost_nano_usd: string;
  unpriced_runs: string;
}
const countOf = (row: CountRow): UsageCount => ({
  requests: Number(row.requests),
  tokens: Number(row.tokens),
  costNanoUsd: Number(row.cost_nano_usd),
  unpricedRuns: Number(row.unpriced_runs),
});

// Runs given back (not_served) count nowhere, so the totals agree with the daily counter.
const countedSince = "org_id = $1 AND created_at >= $2 AND outcome <> 'not_served'";

export async function usageByAgent(
  db: Queryable,
  input: { orgId: string; since: Date },
): Promise<(UsageCount & { agent: string })[]> {
  const { rows } = await db.query<{ agent: string } & CountRow>(
    `SELECT agent_name AS agent, ${counts}
     FROM usage_records WHERE ${countedSince}
     GROUP BY agent_name ORDER BY count(*) DESC, agent_name`,
    [input.orgId, input.since],
  );
  return rows.map((row) => ({ agent: row.agent, ...countOf(row) }));
}

/** Per UTC day (`YYYY-MM-DD`), only days with records. */
export async function usageByDay(
  db: Queryable,
  input: { orgId: string; since: Date },
): Promise<(UsageCount & { date: string })[]> {
  const { rows } = await db.query<{ date: string } & CountRow>(
    `SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS date, ${counts}
     FROM usage_records WHERE ${countedSince}
     GROUP BY 1 ORDER BY 1`,
    [input.orgId, input.since],
  );
  return rows.map((row) => ({ date: row.date, ...countOf(row) }));
}

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
  /** The API key the run came with; null (or absent) for a signed-in user. */
  apiKeyId?: string | null;
}

export interface UsageCount {
  requests: number;
  tokens: number;
  /** Sum of the priced runs' costs, nano-dollars. */
  costNanoUsd: number;
  /** Runs whose model had no price: counted in requests and tokens, not in the cost. */
  unpricedRuns: number;
}

/** The limit that refused a run: `org.daily_runs` is the seed's daily limit, the others budgets. */
export type RefusingLimit =
  | 'org.daily_runs'
  | 'org.monthly_spend'
  | 'agent.daily_runs'
  | 'agent.daily_tokens'
  | 'api_key.daily_runs'
  | 'api_key.daily_tokens';

/** Which of the agent's and API key's run counters a run took (each only when it has a run limit). */
export interface CountersTaken {
  agent: boolean;
  apiKey: boolean;
}

export type RunReservationResult =
  | { runs: number; counted: CountersTaken; refused?: undefined }
  | { runs?: undefined; counted?: undefined; refused: { limit: RefusingLimit; max: number; used: number } }
  /** The agent is not deployed: nothing taken. */
  | { runs?: undefined; counted?: undefined; refused?: undefined };

/**
 * The agent of a run and, when it is deployed, one run of the org's `day` taken for it, with the
 * agent's and the API key's run counters, unless a limit refuses it (migration 008's reserve_run):
 * one round trip for what every run needs first. Each counter is taken under its row's lock
 * (ON CONFLICT DO UPDATE with a re-checked WHERE), so concurrent callers queue on it and exactly
 * `limit` of them ever get a run. Undefined when the org has no agent of that name.
 */
export async function reserveRunOfAgent(
  db: Queryable,
  input: { orgId: string; agentName: string; apiKeyId?: string | undefined; day: string; limit: number },
): Promise<({ agent: AgentRecord } & RunReservationResult) | undefined> {
  const { rows } = await db.query<
    AgentRow & {
      reserved_runs: number | null;
      agent_counted: boolean | null;
      key_counted: boolean | null;
      refused: RefusingLimit | null;
      refused_limit: string | null;
      refused_used: string | null;
    }
  >({
    name: 'reserve-run-of-agent',
    // reserve_run's commit does not wait for its WAL flush (synchronous_commit off for this
    // transaction alone): a run starts ~0.3 ms sooner. Only a crash of PostgreSQL itself can lose
    // the last moment's reservations (3 x wal_writer_delay, 0.6 s by default): those runs are then
    // not counted against that day's limits; their usage records, written durably, still are in
    // usage. Other sessions see the new counts at once, as before.
    text: `WITH agent AS (SELECT * FROM agents WHERE org_id = $1 AND name = $2),
     reserved AS (SELECT * FROM reserve_run($1, $2, $5, $3::date, $4))
     SELECT agent.*, reserved.* FROM agent LEFT JOIN reserved ON true`,
    values: [input.orgId, input.agentName, input.day, input.limit, input.apiKeyId ?? null],
  });
  const row = rows[0];
  if (!row) return undefined;
  const agent = toRecord(row);
  if (row.reserved_runs !== null)
    return { agent, runs: row.reserved_runs, counted: { agent: !!row.agent_counted, apiKey: !!row.key_counted } };
  if (row.refused === null) return { agent };
  return {
    agent,
    refused: { limit: row.refused, max: Number(row.refused_limit ?? 0), used: Number(row.refused_used ?? 0) },
  };
}

/**
 * Gives back one run reserved on `day` (the reservation's day, not today's: a run may cross
 * midnight): the agent's and the API key's run counters it took, then the org's, in reserve_run's
 * order. One statement each: the statements of one WITH run in no set order, and a lock taken out
 * of reserve_run's order could deadlock with it.
 */
export async function releaseRunReservation(
  db: Queryable,
  input: { orgId: string; day: string; agentName: string; apiKeyId?: string | undefined; counted: CountersTaken },
): Promise<void> {
  const giveBack = 'SELECT give_back_counted_run($1, $2, $3, $4)';
  if (input.counted.agent) await db.query(giveBack, [input.orgId, 'agent', input.agentName, input.day]);
  if (input.counted.apiKey && input.apiKeyId)
    await db.query(giveBack, [input.orgId, 'api_key', input.apiKeyId, input.day]);
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
        agent_version, cost_nano_usd, api_key_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
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
      record.apiKeyId ?? null,
    ],
  });
  return rowCount === 1;
}

/**
 * Inserts the records in one statement, skipping any whose settlement was written before, and
 * adds the new ones' tokens and cost to the budget counters: the org's month, the agent's and the
 * API key's UTC day of each record. Counter rows are taken in key order, the order reserve_run
 * takes them in, so concurrent writers and reservations never deadlock.
 */
export async function insertUsageRecords(db: Queryable, records: UsageRecord[]): Promise<void> {
  await db.query({
    name: 'insert-usage-records',
    text: `WITH inserted AS (
       INSERT INTO usage_records
         (settlement_id, org_id, agent_name, kind, tokens_in, tokens_out, model, latency_ms, outcome, created_at,
          agent_version, cost_nano_usd, api_key_id)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::integer[], $6::integer[],
                            $7::text[], $8::integer[], $9::text[], $10::timestamptz[], $11::integer[], $12::bigint[],
                            $13::text[])
       ON CONFLICT (settlement_id) DO NOTHING
       RETURNING org_id, agent_name, api_key_id, tokens_in + tokens_out AS tokens,
                 coalesce(cost_nano_usd, 0) AS cost, (created_at AT TIME ZONE 'UTC')::date AS day, outcome),
     counted AS (SELECT * FROM inserted WHERE outcome <> 'not_served'),
     used AS (
       SELECT org_id, 'org' AS scope, '' AS target, date_trunc('month', day)::date AS period,
              sum(tokens) AS tokens, sum(cost) AS cost FROM counted GROUP BY 1, 4
       UNION ALL
       SELECT org_id, 'agent', agent_name, day, sum(tokens), sum(cost) FROM counted GROUP BY 1, 3, 4
       UNION ALL
       SELECT org_id, 'api_key', api_key_id, day, sum(tokens), sum(cost)
       FROM counted WHERE api_key_id IS NOT NULL GROUP BY 1, 3, 4)
     INSERT INTO budget_counters AS c (org_id, scope, target, period, tokens, cost_nano_usd)
     SELECT * FROM used ORDER BY org_id, scope, target, period
     ON CONFLICT (org_id, scope, target, period)
     DO UPDATE SET tokens = c.tokens + excluded.tokens, cost_nano_usd = c.cost_nano_usd + excluded.cost_nano_usd`,
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
      records.map((record) => record.apiKeyId ?? null),
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

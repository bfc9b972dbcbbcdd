import type { Queryable } from '../db/database.ts';

/** A daily limit and what today used of it; `limit` null: no limit. */
export interface DailyUse {
  limit: number | null;
  used: number;
}

export interface DailyLimits {
  runs: DailyUse;
  tokens: DailyUse;
}

/** The limits to set; null lifts one. */
export interface DailyLimitsInput {
  runs: number | null;
  tokens: number | null;
}

export interface BudgetsOverview {
  monthlySpend: { limitNanoUsd: number | null; usedNanoUsd: number };
  agents: ({ name: string } & DailyLimits)[];
  apiKeys: ({ id: string; name: string } & DailyLimits)[];
}

interface LimitsRow {
  run_limit: number | null;
  token_limit: string | null;
  /** An integer counter, or a count(*) (bigint, a string). */
  runs: number | string | null;
  tokens: string | null;
}

// bigint columns arrive as strings; every value here stays below 2^53.
const limitsOf = (row: LimitsRow): DailyLimits => ({
  runs: { limit: row.run_limit, used: Number(row.runs ?? 0) },
  tokens: { limit: row.token_limit === null ? null : Number(row.token_limit), used: Number(row.tokens ?? 0) },
});

/**
 * Every agent's and API key's limits with today's use, and the org's spend of the month. Runs
 * used: the run counter (runs started today, those running included) of one with a run limit,
 * else the runs recorded today (finished ones).
 */
export async function budgetsOf(
  db: Queryable,
  input: { orgId: string; day: string; month: string },
): Promise<BudgetsOverview> {
  const counter = (scope: string, target: string, period: string) =>
    `LEFT JOIN budget_counters c ON c.org_id = $1 AND c.scope = '${scope}' AND c.target = ${target} AND c.period = ${period}`;
  const runsUsed = (column: string, target: string) => `CASE WHEN ${target}.daily_run_limit IS NOT NULL THEN c.runs
    ELSE (SELECT count(*) FROM usage_records u WHERE u.org_id = $1 AND u.${column} = ${target}.${column === 'agent_name' ? 'name' : 'id'}
          AND u.outcome <> 'not_served' AND u.created_at >= $2::date::timestamp AT TIME ZONE 'UTC') END AS runs`;
  const [org, agents, keys] = await Promise.all([
    db.query<{ limit_nano_usd: string | null; used_nano_usd: string | null }>(
      `SELECT o.monthly_spend_limit_nano_usd AS limit_nano_usd, c.cost_nano_usd AS used_nano_usd
       FROM orgs o ${counter('org', "''", '$2')} WHERE o.id = $1`,
      [input.orgId, input.month],
    ),
    db.query<{ name: string } & LimitsRow>(
      `SELECT a.name, a.daily_run_limit AS run_limit, a.daily_token_limit AS token_limit, c.tokens,
              ${runsUsed('agent_name', 'a')}
       FROM agents a ${counter('agent', 'a.name', '$2')} WHERE a.org_id = $1 ORDER BY a.name`,
      [input.orgId, input.day],
    ),
    db.query<{ id: string; name: string } & LimitsRow>(
      `SELECT k.id, k.name, k.daily_run_limit AS run_limit, k.daily_token_limit AS token_limit, c.tokens,
              ${runsUsed('api_key_id', 'k')}
       FROM api_keys k ${counter('api_key', 'k.id', '$2')} WHERE k.org_id = $1 ORDER BY k.created_at, k.id`,
      [input.orgId, input.day],
    ),
  ]);
  const spend = org.rows[0];
  return {
    monthlySpend: {
      limitNanoUsd: spend?.limit_nano_usd == null ? null : Number(spend.limit_nano_usd),
      usedNanoUsd: Number(spend?.used_nano_usd ?? 0),
    },
    agents: agents.rows.map((row) => ({ name: row.name, ...limitsOf(row) })),
    apiKeys: keys.rows.map((row) => ({ id: row.id, name: row.name, ...limitsOf(row) })),
  };
}

export async function setMonthlySpendLimit(
  db: Queryable,
  input: { orgId: string; limitNanoUsd: number | null },
): Promise<void> {
  await db.query('UPDATE orgs SET monthly_spend_limit_nano_usd = $2 WHERE id = $1', [input.orgId, input.limitNanoUsd]);
}

/**
 * Sets the daily limits of the org's agent or API key; false when it has none of that name or id.
 * A run limit starts its run counter at the runs recorded today (or where it stood, if higher), so
 * a limit set at noon counts the morning; runs running at that moment are not in it.
 */
export async function setDailyLimits(
  db: Queryable,
  input: { orgId: string; of: 'agent' | 'api_key'; target: string; day: string; limits: DailyLimitsInput },
): Promise<boolean> {
  const [table, key, recordColumn] =
    input.of === 'agent' ? ['agents', 'name', 'agent_name'] : ['api_keys', 'id', 'api_key_id'];
  const { rows } = await db.query<{ found: string }>(
    `WITH updated AS (
       UPDATE ${table} SET daily_run_limit = $3, daily_token_limit = $4 WHERE org_id = $1 AND ${key} = $2 RETURNING 1),
     seeded AS (
       INSERT INTO budget_counters AS c (org_id, scope, target, period, runs)
       SELECT $1, $5, $2, $6::date, count(*) FROM usage_records u
       WHERE EXISTS (SELECT 1 FROM updated) AND $3::integer IS NOT NULL
         AND u.org_id = $1 AND u.${recordColumn} = $2 AND u.outcome <> 'not_served'
         AND u.created_at >= $6::date::timestamp AT TIME ZONE 'UTC'
       HAVING EXISTS (SELECT 1 FROM updated) AND $3::integer IS NOT NULL
       ON CONFLICT (org_id, scope, target, period) DO UPDATE SET runs = greatest(c.runs, excluded.runs))
     SELECT count(*) AS found FROM updated`,
    [input.orgId, input.target, input.limits.runs, input.limits.tokens, input.of, input.day],
  );
  return Number(rows[0]?.found) === 1;
}

/**
 * Deletes the counters no limit reads again: daily ones (agents', API keys', the org's runs) of
 * days more than `keepDays` before `today`, and the org's monthly ones of months before the last.
 * Limits read only today's and this month's; the days kept let a run that started before
 * midnight give its run back to its own day. Returns how many rows went.
 */
export async function pruneSpentCounters(db: Queryable, input: { today: string; keepDays: number }): Promise<number> {
  const { rows } = await db.query<{ deleted: string }>(
    `WITH budgets AS (
       DELETE FROM budget_counters
        WHERE (scope <> 'org' AND period < $1::date - $2::integer)
           OR (scope = 'org' AND period < (date_trunc('month', $1::date) - interval '1 month')::date)
       RETURNING 1),
     daily_runs AS (DELETE FROM daily_run_counters WHERE day < $1::date - $2::integer RETURNING 1)
     SELECT ((SELECT count(*) FROM budgets) + (SELECT count(*) FROM daily_runs))::text AS deleted`,
    [input.today, input.keepDays],
  );
  return Number(rows[0]?.deleted ?? 0);
}

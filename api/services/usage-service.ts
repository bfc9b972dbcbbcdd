import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { type Database, inTransaction } from '../db/database.ts';
import { AppError } from '../errors.ts';
import type { OrgAccess } from '../http/principal.ts';
import type { AgentRecord } from '../stores/agents-store.ts';
import {
  type CountersTaken,
  dailyRunsOf,
  insertUsageRecord,
  insertUsageRecords,
  type RefusingLimit,
  releaseRunReservation,
  reserveRunOfAgent,
  type UsageRecord,
  usageByAgent,
  usageByDay,
} from '../stores/usage-store.ts';
import { createRetryingWriter } from './create-retrying-writer.ts';
import { createWriteBatcher } from './create-write-batcher.ts';

const dayMs = 86_400_000;

/** The org's daily-run budget as the X-RateLimit-* headers tell it. */
export interface RateLimit {
  limit: number;
  remaining: number;
  /** The next UTC midnight, when the day's runs start again from zero. */
  resetsAt: Date;
}

/** One run taken from the org's daily budget (and the agent's and API key's); settle it exactly once. */
export interface RunReservation {
  orgId: string;
  /** The UTC day (`YYYY-MM-DD`) the run was counted on. */
  day: string;
  /** The API key the run came with; undefined for a signed-in user. */
  apiKeyId: string | undefined;
  /** The agent's and API key's run counters the run took: a run given back gives back those. */
  counted: CountersTaken;
  rateLimit: RateLimit;
}

/** What a finished run reports: its usage record, less what the reservation already knows. */
export type RunSettlement = Omit<UsageRecord, 'settlementId' | 'orgId' | 'createdAt' | 'apiKeyId'>;

interface PendingSettlement {
  record: UsageRecord;
  reservation: RunReservation;
}

// About 300 bytes each: an outage of 10,000 answered runs costs a few MB, never the process.
const maxPendingSettlements = 10_000;
// Records of served runs written together, at most: one statement of a few hundred KB.
const maxRecordsPerInsert = 500;

export class DailyLimitReached extends AppError {
  constructor(rateLimit: RateLimit, now: Date) {
    const retryAfterSeconds = Math.max(1, Math.ceil((rateLimit.resetsAt.getTime() - now.getTime()) / 1000));
    super(
      'daily_limit_reached',
      429,
      `the org has used its ${rateLimit.limit} runs of today (UTC); runs are possible again at ${rateLimit.resetsAt.toISOString()}`,
      { headers: { ...rateLimitHeaders(rateLimit), 'Retry-After': String(retryAfterSeconds) } },
    );
  }
}

/** What a budget limits: the unit of its X-Budget-Limit and X-Budget-Used headers. */
const budgetOf: Record<Exclude<RefusingLimit, 'org.daily_runs'>, { scope: string; name: string; unit: string }> = {
  'org.monthly_spend': { scope: 'org', name: 'monthly_spend_usd', unit: 'USD' },
  'agent.daily_runs': { scope: 'agent', name: 'daily_runs', unit: 'runs' },
  'agent.daily_tokens': { scope: 'agent', name: 'daily_tokens', unit: 'tokens' },
  'api_key.daily_runs': { scope: 'api_key', name: 'daily_runs', unit: 'runs' },
  'api_key.daily_tokens': { scope: 'api_key', name: 'daily_tokens', unit: 'tokens' },
};

/**
 * 429 budget_exceeded (issue 15): a budget an owner or admin set refuses the run until its period
 * ends: the next midnight UTC for daily limits, the first of next month (UTC) for the org's spend.
 */
export class BudgetExceeded extends AppError {
  constructor(
    refused: { limit: Exclude<RefusingLimit, 'org.daily_runs'>; max: number; used: number },
    who: { agentName: string; apiKeyId: string | undefined },
    now: Date,
  ) {
    const budget = budgetOf[refused.limit];
    const resetsAt = budget.scope === 'org' ? startOfNextUtcMonth(now) : new Date(startOfUtcDay(now).getTime() + dayMs);
    const retryAfterSeconds = Math.max(1, Math.ceil((resetsAt.getTime() - now.getTime()) / 1000));
    const isSpend = budget.unit === 'USD';
    const amount = (value: number) => (isSpend ? String(value / 1e9) : String(value));
    const whose =
      budget.scope === 'org'
        ? 'the org'
        : budget.scope === 'agent'
          ? `the agent '${who.agentName}'`
          : `the API key ${who.apiKeyId}`;
    const used = isSpend
      ? `has spent ${amount(refused.used)} USD of its monthly budget of ${amount(refused.max)} USD`
      : `has used ${refused.used} of its ${refused.max} ${budget.unit} of today (UTC)`;
    super('budget_exceeded', 429, `${whose} ${used}; runs are possible again at ${resetsAt.toISOString()}`, {
      headers: {
        'Retry-After': String(retryAfterSeconds),
        'X-Budget-Scope': budget.scope,
        'X-Budget-Name': budget.name,
        'X-Budget-Limit': amount(refused.max),
        'X-Budget-Used': amount(refused.used),
        'X-Budget-Reset': String(Math.floor(resetsAt.getTime() / 1000)),
      },
    });
  }
}

export function rateLimitHeaders(rateLimit: RateLimit): Record<string, string> {
  return {
    'X-RateLimit-Limit': String(rateLimit.limit),
    'X-RateLimit-Remaining': String(rateLimit.remaining),
    'X-RateLimit-Reset': String(Math.floor(rateLimit.resetsAt.getTime() / 1000)),
  };
}

const utcDayOf = (date: Date) => date.toISOString().slice(0, 10);
const startOfUtcDay = (date: Date) => new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
const startOfNextUtcMonth = (date: Date) => new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1));

/**
 * The daily run limit (seed 003: 1,000 per org per UTC day) and the usage records behind
 * `GET /orgs/{slug}/usage`. Every run and stream message reserves a run before it reaches the
 * runtime; a run the runtime did not serve gives its reservation back (see `RunSettlement`).
 */
export function createUsageService(deps: {
  db: Database;
  now: () => Date;
  limits: { dailyRuns: number };
  log: Logger;
}) {
  const { db } = deps;
  const limit = deps.limits.dailyRuns;
  // A run answered while the database is away still gets its record, once the database is back.
  // Records of served runs that finish while one insert is in flight share the next one.
  const insertServed = createWriteBatcher<UsageRecord>({
    writeAll: (records) => insertUsageRecords(db, records),
    maxBatch: maxRecordsPerInsert,
  });
  const settlements = createRetryingWriter<PendingSettlement>({
    write: (settlement) =>
      settlement.record.outcome === 'not_served' ? releaseRun(db, settlement) : insertServed(settlement.record),
    describe: ({ record }) => ({ ...record, createdAt: record.createdAt.toISOString() }),
    log: deps.log.child({ component: 'usage' }),
    maxPending: maxPendingSettlements,
  });

  function rateLimitAt(now: Date, runs: number): RateLimit {
    return {
      limit,
      remaining: Math.max(0, limit - runs),
      resetsAt: new Date(startOfUtcDay(now).getTime() + dayMs),
    };
  }

  return {
    /**
     * The org's agent `agentName` and, when it is deployed, one run of today's budget taken for it
     * (and from the agent's and the API key's counters); throws 429 daily_limit_reached or
     * budget_exceeded, with Retry-After, when a limit refuses it. Undefined when the org has no
     * such agent.
     */
    async reserveRunOf(
      orgId: string,
      agentName: string,
      apiKeyId?: string,
    ): Promise<{ agent: AgentRecord; reservation: RunReservation | undefined } | undefined> {
      const now = deps.now();
      const day = utcDayOf(now);
      const found = await reserveRunOfAgent(db, { orgId, agentName, apiKeyId, day, limit });
      if (!found) return undefined;
      const { agent, runs, refused, counted } = found;
      if (refused?.limit === 'org.daily_runs') throw new DailyLimitReached(rateLimitAt(now, limit), now);
      if (refused) throw new BudgetExceeded({ ...refused, limit: refused.limit }, { agentName, apiKeyId }, now);
      if (runs === undefined || !counted) return { agent, reservation: undefined };
      return { agent, reservation: { orgId, day, apiKeyId, counted, rateLimit: rateLimitAt(now, runs) } };
    },

    /** Today's budget, without taking from it (for the test endpoint, which is not limited). */
    async rateLimitOf(orgId: string): Promise<RateLimit> {
      const now = deps.now();
      return rateLimitAt(now, await dailyRunsOf(db, { orgId, day: utcDayOf(now) }));
    },

    /**
     * Writes the run's usage record; a run that was not served also gives its reservation back,
     * in the same transaction, so the counter and the records never disagree. Resolves once the
     * record is written, or kept to be written when the database is back (it is unavailable).
     * A caller may leave the promise running (the run's answer need not wait for its
     * bookkeeping): `settled()` and `summary()` wait for every settlement begun before them.
     */
    settleRun(reservation: RunReservation, settlement: RunSettlement): Promise<void> {
      const record = {
        settlementId: randomUUID(),
        orgId: reservation.orgId,
        apiKeyId: reservation.apiKeyId ?? null,
        createdAt: deps.now(),
        ...settlement,
      };
      return settlements.write({ record, reservation });
    },

    /** Resolves once every settlement begun so far has been written, kept for later, or has failed. */
    settled: () => settlements.settled(),

    /** Shutdown: writes settlements kept during an outage, until `deadline`; logs what is left. */
    drain: (deadline: Date) => settlements.drain(deadline),

    async summary(access: OrgAccess, days: number) {
      const now = deps.now();
      const since = new Date(startOfUtcDay(now).getTime() - (days - 1) * dayMs);
      // A report read right after a run counts that run.
      await settlements.settled();
      const [byAgent, activeDays, runsToday] = await Promise.all([
        usageByAgent(db, { orgId: access.orgId, since }),
        usageByDay(db, { orgId: access.orgId, since }),
        dailyRunsOf(db, { orgId: access.orgId, day: utcDayOf(now) }),
      ]);
      // Every day of the period, oldest first, zeros included: a chart needs no gap-filling.
      const byDay = Array.from({ length: days }, (_, index) => {
        const date = utcDayOf(new Date(since.getTime() + index * dayMs));
        return (
          activeDays.find((day) => day.date === date) ?? {
            date,
            requests: 0,
            tokens: 0,
            costNanoUsd: 0,
            unpricedRuns: 0,
          }
        );
      });
      return {
        periodDays: days,
        totalRequests: byAgent.reduce((sum, agent) => sum + agent.requests, 0),
        totalTokens: byAgent.reduce((sum, agent) => sum + agent.tokens, 0),
        totalCostNanoUsd: byAgent.reduce((sum, agent) => sum + agent.costNanoUsd, 0),
        unpricedRuns: byAgent.reduce((sum, agent) => sum + agent.unpricedRuns, 0),
        dailyLimit: limit,
        remainingToday: rateLimitAt(now, runsToday).remaining,
        byAgent,
        byDay,
      };
    },
  };
}
export type UsageService = ReturnType<typeof createUsageService>;

/** A run not served: its record, and its reservation given back, in one transaction. */
async function releaseRun(db: Database, { record, reservation }: PendingSettlement): Promise<void> {
  await inTransaction(db, async (client) => {
    // Written before (a retry after a lost answer): the run was given back then.
    if (await insertUsageRecord(client, record))
      await releaseRunReservation(client, { ...reservation, agentName: record.agentName });
  });
}

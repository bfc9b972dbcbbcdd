import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import { NotFound } from '../errors.ts';
import type { OrgAccess } from '../http/principal.ts';
import {
  type BudgetsOverview,
  budgetsOf,
  type DailyLimitsInput,
  pruneSpentCounters,
  setDailyLimits,
  setMonthlySpendLimit,
} from '../stores/budgets-store.ts';
import { createPeriodicSweep } from './periodic-sweep.ts';

const dayMs = 86_400_000;
const counterSweepIntervalMs = 60 * 60_000;
// Days of daily counters kept behind today: a run that began before midnight gives its run back
// to its own day, which a long run (up to a day) still finds.
const countersKeptDays = 7;

/** The periods budgets count in: the UTC day, and the UTC month. */
export function budgetPeriodsAt(now: Date) {
  const dayStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return {
    day: now.toISOString().slice(0, 10),
    month: `${now.toISOString().slice(0, 7)}-01`,
    dailyResetsAt: new Date(dayStart + dayMs),
    monthlyResetsAt: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)),
  };
}

/**
 * Budgets (issue 15): the org's monthly spend limit and the daily run and token limits of its
 * agents and API keys, set by owners and admins. They are enforced where runs are reserved
 * (reserve_run, migration 008); this service reads and sets them.
 */
export function createBudgetService(deps: {
  db: Database;
  now: () => Date;
  log: Logger;
  /** The usage service's settlements: what a run used is counted once its record is written. */
  usage: { settled(): Promise<void> };
}) {
  const { db } = deps;
  const log = deps.log.child({ component: 'budgets' });
  // Counters are one row per agent and API key per day: without this the table only grows.
  const counterSweep = createPeriodicSweep({
    intervalMs: counterSweepIntervalMs,
    run: async () => {
      const deleted = await pruneSpentCounters(db, {
        today: budgetPeriodsAt(deps.now()).day,
        keepDays: countersKeptDays,
      });
      if (deleted > 0) log.info({ deleted }, 'budget counters of past periods deleted');
    },
    onError: (err) => log.warn({ err }, 'budget counters of past periods not deleted; trying again in an hour'),
  });

  async function overview(access: OrgAccess): Promise<BudgetsOverview & ReturnType<typeof budgetPeriodsAt>> {
    const periods = budgetPeriodsAt(deps.now());
    // Read right after a run, the overview counts that run, as the usage report does.
    await deps.usage.settled();
    return { ...periods, ...(await budgetsOf(db, { orgId: access.orgId, day: periods.day, month: periods.month })) };
  }

  async function setLimits(access: OrgAccess, of: 'agent' | 'api_key', target: string, limits: DailyLimitsInput) {
    const { day } = budgetPeriodsAt(deps.now());
    if (!(await setDailyLimits(db, { orgId: access.orgId, of, target, day, limits })))
      throw new NotFound(of === 'agent' ? `agent '${target}'` : `API key '${target}'`);
    return overview(access);
  }

  return {
    overview,
    /** Deletes past periods' counters now, and then every hour until `stop()`. */
    startSweep(): void {
      void counterSweep.sweep();
      counterSweep.start();
    },
    sweep: counterSweep.sweep,
    stop: counterSweep.stop,
    async setMonthlySpend(access: OrgAccess, limitNanoUsd: number | null) {
      await setMonthlySpendLimit(db, { orgId: access.orgId, limitNanoUsd });
      return overview(access);
    },
    setAgentLimits: (access: OrgAccess, name: string, limits: DailyLimitsInput) =>
      setLimits(access, 'agent', name, limits),
    setApiKeyLimits: (access: OrgAccess, keyId: string, limits: DailyLimitsInput) =>
      setLimits(access, 'api_key', keyId, limits),
  };
}
export type BudgetService = ReturnType<typeof createBudgetService>;

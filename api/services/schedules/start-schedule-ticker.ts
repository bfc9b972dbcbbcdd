import type { Logger } from 'pino';
import { RunRequest } from '../../../runtime/engine/run-request.ts';
import type { Database } from '../../db/database.ts';
import { toErrorBody } from '../../http/error-envelope.ts';
import type { OrgAccess } from '../../http/principal.ts';
import {
  claimTick,
  type DueSchedule,
  failAbandonedTicks,
  listDueSchedules,
  pruneScheduleTicks,
  recordTickOutcome,
} from '../../stores/schedules-store.ts';
import type { BackgroundRunService } from '../background-runs/background-run-service.ts';
import { planTick, scheduleTimingOf } from './schedule-timing.ts';

// Every replica polls this often: a tick starts at most this late (plus the poll's own time).
const defaultPollMs = 1_000;
const duePerPoll = 100;
// Tick records kept (a schedule's last one always), like finished background runs.
const ticksRetentionHours = 30 * 24;
const pruneEveryMs = 10 * 60_000;
// A claimed tick whose run is not recorded after this was abandoned by its replica (it stopped).
const abandonedAfterSeconds = 120;
const sweepEveryMs = 30_000;
// Placeholder user id of a schedule whose creator was deleted: runs count against the org, not a user.
const noUser = '00000000-0000-0000-0000-000000000000';

/**
 * Polls PostgreSQL for due schedules and claims each due tick with a conditional update of its
 * next_run_at (schedules-store.ts claimTick): with any number of replicas polling, exactly one
 * claims a tick, and only it starts the tick's background run (origin: the schedule). A run the
 * background runs refuse (daily limit, budget, agent not deployed) is recorded on the tick as
 * refused, with the error's code, and not retried: the claim already moved the schedule on.
 */
export function startScheduleTicker(deps: {
  db: Database;
  backgroundRuns: BackgroundRunService;
  minIntervalSeconds: number;
  pollMs?: number;
  log: Logger;
}) {
  const log = deps.log.child({ component: 'schedules' });
  const pollMs = deps.pollMs ?? defaultPollMs;
  const starting = new Set<Promise<void>>();
  let isStopped = false;
  let lastPrunedAt = 0;
  let lastSweptAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let polling: Promise<void> = Promise.resolve();

  async function startTickRun(schedule: DueSchedule, tickAt: Date): Promise<void> {
    try {
      // Checked when saved; parsed again as a run body so a stored input never bypasses the schema.
      const request = RunRequest.parse(schedule.input);
      const run = await deps.backgroundRuns.start({
        access: accessOf(schedule),
        agentName: schedule.agentName,
        request,
        origin: { kind: 'schedule', id: schedule.id },
      });
      await recordTickOutcome(deps.db, { scheduleId: schedule.id, tickAt, status: 'started', runId: run.id });
    } catch (err) {
      const { error, message, status } = toErrorBody(err);
      if (status >= 500) log.warn({ err, schedule: schedule.id }, 'scheduled run not started');
      await recordTickOutcome(deps.db, {
        scheduleId: schedule.id,
        tickAt,
        status: 'refused',
        error: { code: error, message },
      }).catch((cause: unknown) => log.error({ err: cause, schedule: schedule.id }, 'refused tick not recorded'));
    }
  }

  /** Claims what is due; true when it claimed a tick (another may be due already). */
  async function pollOnce(): Promise<boolean> {
    let hasClaimed = false;
    for (const schedule of await listDueSchedules(deps.db, { limit: duePerPoll })) {
      if (isStopped) break;
      let plan: ReturnType<typeof planTick>;
      try {
        const timing = scheduleTimingOf({
          cron: schedule.cron,
          timezone: schedule.timezone,
          // Checked when saved; a schedule saved under a lower minimum still ticks.
          minIntervalSeconds: 0,
          now: schedule.now,
        });
        plan = planTick(timing, { dueAt: schedule.nextRunAt, now: schedule.now });
      } catch (err) {
        log.error({ err, schedule: schedule.id }, 'stored schedule does not parse; disabled until fixed');
        plan = { tickAt: null, skipped: 0, nextRunAt: null };
      }
      const isClaimed = await claimTick(deps.db, {
        scheduleId: schedule.id,
        dueAt: schedule.nextRunAt,
        nextRunAt: plan.nextRunAt,
        skipped: plan.skipped,
        tickAt: plan.tickAt,
      });
      if (!isClaimed) continue;
      if (plan.skipped > 0) log.info({ schedule: schedule.id, skipped: plan.skipped }, 'missed schedule ticks skipped');
      if (!plan.tickAt) continue;
      hasClaimed = true;
      const started = startTickRun(schedule, plan.tickAt);
      starting.add(started);
      void started.finally(() => starting.delete(started));
    }
    if (Date.now() - lastSweptAt >= sweepEveryMs) {
      const abandoned = await failAbandonedTicks(deps.db, { seconds: abandonedAfterSeconds });
      if (abandoned > 0) log.warn({ ticks: abandoned }, 'ticks of a lost API replica recorded as refused');
      lastSweptAt = Date.now();
    }
    if (Date.now() - lastPrunedAt >= pruneEveryMs) {
      await pruneScheduleTicks(deps.db, { hours: ticksRetentionHours });
      lastPrunedAt = Date.now();
    }
    return hasClaimed;
  }

  async function poll(): Promise<void> {
    try {
      // A tick claimed may leave the next one due already (a catch-up): claim until none is.
      while (!isStopped && (await pollOnce()));
    } catch (err) {
      log.warn({ err }, 'schedule poll failed; retrying at the next one');
    }
    if (isStopped) return;
    timer = setTimeout(() => {
      polling = poll();
    }, pollMs);
    // Never what keeps a process alive: close() stops it.
    timer.unref();
  }
  polling = poll();

  return {
    async stop(): Promise<void> {
      isStopped = true;
      clearTimeout(timer);
      await polling;
      await Promise.all([...starting]);
    },
  };
}

/** A tick's run acts for the org: counted against its daily runs, budgets and the agent's limits. */
function accessOf(schedule: DueSchedule): OrgAccess {
  return {
    principal: {
      kind: 'user',
      userId: schedule.createdBy ?? noUser,
      sessionId: `schedule:${schedule.id}`,
      email: '',
      loginOrgSlug: schedule.orgSlug,
    },
    orgId: schedule.orgId,
    orgSlug: schedule.orgSlug,
    role: 'admin',
  };
}

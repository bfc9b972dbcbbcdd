import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { RunRequest } from '../../../runtime/engine/run-request.ts';
import { type Database, inTransaction } from '../../db/database.ts';
import { Conflict, NotFound } from '../../errors.ts';
import type { OrgAccess } from '../../http/principal.ts';
import { findAgent } from '../../stores/agents-store.ts';
import {
  countSchedules,
  deleteSchedule,
  findSchedule,
  insertSchedule,
  listSchedules,
  type ScheduleRecord,
  updateSchedule,
} from '../../stores/schedules-store.ts';
import type { BackgroundRunService } from '../background-runs/background-run-service.ts';
import { nextTickAfter, scheduleTimingOf } from './schedule-timing.ts';
import { startScheduleTicker } from './start-schedule-ticker.ts';

// Caps (README: "Schedules"): each schedule is a standing claim on the org's daily runs.
export const maxSchedulesPerAgent = 10;
export const maxSchedulesPerOrg = 50;

export interface ScheduleInput {
  cron: string;
  timezone: string;
  input: RunRequest;
  enabled: boolean;
}

/**
 * Schedules (issue 16, item 5): CRUD for an agent's schedules, and the ticker every replica runs,
 * which starts each due tick's background run exactly once across replicas (start-schedule-ticker.ts).
 */
export function createScheduleService(deps: {
  db: Database;
  backgroundRuns: BackgroundRunService;
  /** ASTROMESH_SCHEDULE_MIN_INTERVAL_SECONDS: the closest two ticks of a schedule may be. */
  minIntervalSeconds: number;
  pollMs?: number;
  now: () => Date;
  log: Logger;
}) {
  const { db } = deps;
  const ticker = startScheduleTicker({
    db,
    backgroundRuns: deps.backgroundRuns,
    minIntervalSeconds: deps.minIntervalSeconds,
    pollMs: deps.pollMs,
    log: deps.log,
  });

  const timingOf = (input: { cron: string; timezone: string }) =>
    scheduleTimingOf({ ...input, minIntervalSeconds: deps.minIntervalSeconds, now: deps.now() });

  async function scheduleOf(access: OrgAccess, agentName: string, id: string): Promise<ScheduleRecord> {
    const schedule = await findSchedule(db, { orgId: access.orgId, agentName, id });
    if (!schedule) throw new NotFound(`schedule '${id}' of agent '${agentName}'`);
    return schedule;
  }

  async function agentIdOf(access: OrgAccess, agentName: string): Promise<string> {
    const agent = await findAgent(db, { orgId: access.orgId, name: agentName });
    if (!agent) throw new NotFound(`agent '${agentName}'`);
    return agent.id;
  }

  return {
    async create(access: OrgAccess, agentName: string, input: ScheduleInput): Promise<ScheduleRecord> {
      const timing = timingOf(input);
      const id = randomUUID();
      await inTransaction(db, async (client) => {
        // The agent's row lock makes the caps exact when schedules are created at once.
        const agent = await findAgent(client, { orgId: access.orgId, name: agentName, forUpdate: true });
        if (!agent) throw new NotFound(`agent '${agentName}'`);
        await client.query('SELECT 1 FROM orgs WHERE id = $1 FOR UPDATE', [access.orgId]);
        const counts = await countSchedules(client, { orgId: access.orgId, agentId: agent.id });
        if (counts.agent >= maxSchedulesPerAgent)
          throw new Conflict(
            'schedule_limit_reached',
            `agent '${agentName}' has ${counts.agent} schedules, the most an agent may have`,
          );
        if (counts.org >= maxSchedulesPerOrg)
          throw new Conflict('schedule_limit_reached', `the org has ${counts.org} schedules, the most an org may have`);
        await insertSchedule(client, {
          id,
          orgId: access.orgId,
          agentId: agent.id,
          cron: input.cron.trim(),
          timezone: input.timezone,
          input: input.input,
          enabled: input.enabled,
          nextRunAt: input.enabled ? nextTickAfter(timing, deps.now()) : null,
          createdBy: access.principal.kind === 'user' ? access.principal.userId : null,
        });
      });
      return scheduleOf(access, agentName, id);
    },

    async list(access: OrgAccess, agentName: string): Promise<ScheduleRecord[]> {
      await agentIdOf(access, agentName);
      return listSchedules(db, { orgId: access.orgId, agentName });
    },

    get: scheduleOf,

    /** Changes what is given; a new cron, zone or enabling starts again from the next tick after now. */
    async update(
      access: OrgAccess,
      agentName: string,
      id: string,
      changes: Partial<ScheduleInput>,
    ): Promise<ScheduleRecord> {
      const current = await scheduleOf(access, agentName, id);
      const next = {
        cron: changes.cron?.trim() ?? current.cron,
        timezone: changes.timezone ?? current.timezone,
        input: changes.input ?? (current.input as RunRequest),
        enabled: changes.enabled ?? current.enabled,
      };
      const timing = timingOf(next);
      const isTimingKept =
        next.cron === current.cron && next.timezone === current.timezone && next.enabled === current.enabled;
      await updateSchedule(db, {
        id,
        ...next,
        nextRunAt: !next.enabled ? null : isTimingKept ? current.nextRunAt : nextTickAfter(timing, deps.now()),
      });
      return scheduleOf(access, agentName, id);
    },

    async delete(access: OrgAccess, agentName: string, id: string): Promise<void> {
      await scheduleOf(access, agentName, id);
      await deleteSchedule(db, { orgId: access.orgId, id });
    },

    /** Stops polling; ticks whose runs are being started finish starting first. */
    close: () => ticker.stop(),
  };
}
export type ScheduleService = ReturnType<typeof createScheduleService>;

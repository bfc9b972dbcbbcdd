import { orgRoute } from '../http/api-route.ts';
import { managers } from '../http/principal.ts';
import {
  AgentSchedulesParams,
  CreateScheduleBody,
  ScheduleList,
  ScheduleParams,
  ScheduleView,
  UpdateScheduleBody,
} from '../schemas/schedule.ts';
import type { ScheduleService } from '../services/schedules/schedule-service.ts';
import type { ScheduleRecord } from '../stores/schedules-store.ts';

const tag = 'Schedules';

export function scheduleViewOf(schedule: ScheduleRecord): ScheduleView {
  const tick = schedule.lastTick;
  return {
    id: schedule.id,
    agent: schedule.agentName,
    cron: schedule.cron,
    timezone: schedule.timezone,
    input: schedule.input,
    enabled: schedule.enabled,
    next_run_at: schedule.nextRunAt?.toISOString() ?? null,
    skipped_ticks: schedule.skippedTicks,
    last_run: tick
      ? {
          tick_at: tick.tickAt.toISOString(),
          run_id: tick.runId,
          status:
            tick.status === 'claimed'
              ? 'starting'
              : tick.status === 'refused'
                ? 'refused'
                : (tick.runStatus ?? 'started'),
          error: tick.error,
        }
      : null,
    created_at: schedule.createdAt.toISOString(),
    updated_at: schedule.updatedAt.toISOString(),
  };
}

// Owners and admins manage schedules (each tick takes a run of the org's day); members read them.
export function scheduleRoutes(schedules: ScheduleService) {
  return [
    orgRoute({
      method: 'post',
      path: '/orgs/{slug}/agents/{name}/schedules',
      summary: 'Schedule runs of an agent: a cron expression in a time zone, and the input each tick runs',
      description:
        'Each tick starts a background run (origin {kind: schedule}) exactly once across API replicas, counted ' +
        'like POST …/run; a tick refused by the daily limit, a budget or an undeployed agent is recorded in ' +
        'last_run as refused, not retried. At most 10 schedules per agent and 50 per org (409 ' +
        'schedule_limit_reached).',
      tag,
      roles: managers,
      params: AgentSchedulesParams,
      body: CreateScheduleBody,
      response: ScheduleView,
      status: 201,
      errors: [404, 409],
      handle: async ({ access, params, body }) => scheduleViewOf(await schedules.create(access, params.name, body)),
    }),
    orgRoute({
      method: 'get',
      path: '/orgs/{slug}/agents/{name}/schedules',
      summary: "The agent's schedules, with each one's next tick and last run",
      tag,
      params: AgentSchedulesParams,
      response: ScheduleList,
      errors: [404],
      handle: async ({ access, params }) => ({
        schedules: (await schedules.list(access, params.name)).map(scheduleViewOf),
      }),
    }),
    orgRoute({
      method: 'get',
      path: '/orgs/{slug}/agents/{name}/schedules/{schedule_id}',
      summary: 'A schedule, with its next tick and last run',
      tag,
      params: ScheduleParams,
      response: ScheduleView,
      errors: [404],
      handle: async ({ access, params }) =>
        scheduleViewOf(await schedules.get(access, params.name, params.schedule_id)),
    }),
    orgRoute({
      method: 'patch',
      path: '/orgs/{slug}/agents/{name}/schedules/{schedule_id}',
      summary: 'Change a schedule’s cron, time zone, input or enabled',
      description: 'A new cron or time zone, or enabling it, ticks next at the first tick after now.',
      tag,
      roles: managers,
      params: ScheduleParams,
      body: UpdateScheduleBody,
      response: ScheduleView,
      errors: [404],
      handle: async ({ access, params, body }) =>
        scheduleViewOf(await schedules.update(access, params.name, params.schedule_id, body)),
    }),
    orgRoute({
      method: 'delete',
      path: '/orgs/{slug}/agents/{name}/schedules/{schedule_id}',
      summary: 'Delete a schedule (its runs so far are kept)',
      tag,
      roles: managers,
      params: ScheduleParams,
      status: 204,
      errors: [404],
      handle: async ({ access, params }) => {
        await schedules.delete(access, params.name, params.schedule_id);
      },
    }),
  ];
}

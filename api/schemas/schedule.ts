import { z } from 'zod';
import { AgentName } from '../../crds/cloud-agent.ts';
import { backgroundRunStatuses } from './background-run.ts';
import { RunAgentBody } from './run-agent.ts';

const ScheduleId = z.uuid({ error: 'must be the id of a schedule (a UUID)' });

export const AgentSchedulesParams = z.object({ slug: z.string(), name: AgentName });
export const ScheduleParams = z.object({ slug: z.string(), name: AgentName, schedule_id: ScheduleId });

const Cron = z
  .string()
  .max(200)
  .describe(
    'Five fields: minute hour day-of-month month day-of-week (e.g. `0 9 * * 1-5`, `*/15 * * * *`), in `timezone`; ' +
      'at most once every ASTROMESH_SCHEDULE_MIN_INTERVAL_SECONDS (60).',
  );
const TimeZone = z.string().max(64).describe('An IANA time zone: UTC, Europe/Paris, America/New_York…');

export const CreateScheduleBody = z
  .object({
    cron: Cron,
    timezone: TimeZone.default('UTC'),
    input: RunAgentBody.describe('What each tick runs: the body of POST …/run (query, context, session_id).'),
    enabled: z.boolean().default(true).describe('false: saved but not ticking until enabled.'),
  })
  .strict();
export type CreateScheduleBody = z.infer<typeof CreateScheduleBody>;

export const UpdateScheduleBody = z
  .object({ cron: Cron, timezone: TimeZone, input: RunAgentBody, enabled: z.boolean() })
  .partial()
  .strict()
  .refine((body) => Object.keys(body).length > 0, 'give at least one of cron, timezone, input, enabled')
  // What the refine says, for the OpenAPI document (JSON Schema's own word for it).
  .meta({ minProperties: 1 });
export type UpdateScheduleBody = z.infer<typeof UpdateScheduleBody>;

const Timestamp = z.string().describe('ISO 8601, UTC.');

export const ScheduleView = z.object({
  id: z.string().describe('The schedule id (a UUID); its runs have origin {kind: schedule, id}.'),
  agent: z.string(),
  cron: z.string(),
  timezone: z.string(),
  input: z.record(z.string(), z.unknown()),
  enabled: z.boolean(),
  next_run_at: Timestamp.nullable().describe('The next tick; null while disabled.'),
  skipped_ticks: z
    .number()
    .int()
    .describe('Ticks missed while no API replica ran and too old to catch up (README: "Schedules").'),
  last_run: z
    .object({
      tick_at: Timestamp.describe('The tick it ran for.'),
      run_id: z.string().nullable().describe('The background run: GET /orgs/{slug}/runs/{run_id}; null if refused.'),
      status: z
        .enum(['starting', 'refused', 'started', ...backgroundRunStatuses])
        .describe(
          'The run’s status; refused: no run was started (error says why); starting: being started; ' +
            'started: started, and no longer kept (runs are kept 30 days).',
        ),
      error: z
        .object({ code: z.string(), message: z.string() })
        .nullable()
        .describe('Why the tick was refused, e.g. daily_limit_reached, budget_exceeded, agent_not_deployed.'),
    })
    .nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type ScheduleView = z.infer<typeof ScheduleView>;

export const ScheduleList = z.object({ schedules: z.array(ScheduleView) });
export type ScheduleList = z.infer<typeof ScheduleList>;

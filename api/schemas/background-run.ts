import { z } from 'zod';
import { AgentName } from '../../crds/cloud-agent.ts';
import { queryInteger } from '../../runtime/server/query-integer.ts';
import { RunAgentAnswer } from './run-agent-answer.ts';

export const backgroundRunStatuses = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;

const RunId = z.uuid({ error: 'must be the id of a run (a UUID)' });

export const RunParams = z.object({ slug: z.string(), run_id: RunId });
export const AgentRunsParams = z.object({ slug: z.string(), name: AgentName });

/** GET …/runs/{run_id}/events: where to resume, for a client that cannot send Last-Event-ID. */
export const RunEventsQuery = z.object({
  last_event_id: z
    .string()
    .regex(/^(0|[1-9][0-9]{0,8})$/, 'must be the id of an event of this run')
    .optional()
    .describe('Resume after this event (the Last-Event-ID header wins when both are sent).'),
});

/** GET …/agents/{name}/runs: newest first; pages follow next_cursor. */
export const BackgroundRunsQuery = z.object({
  cursor: z
    .string()
    .regex(/^[1-9][0-9]{0,17}$/, 'must be the next_cursor of the previous page')
    .optional()
    .describe('next_cursor of the previous page: the runs started before the last one it showed.'),
  limit: queryInteger({ min: 1, max: 100, default: 20 }),
});

const Timestamp = z.string().describe('ISO 8601, UTC.');

export const BackgroundRunView = z.object({
  id: z.string().describe('The run id (a UUID): GET /orgs/{slug}/runs/{run_id}.'),
  agent: z.string(),
  status: z
    .enum(backgroundRunStatuses)
    .describe('queued (waiting for one of its replica’s slots), running, then succeeded, failed or cancelled.'),
  origin: z.object({
    kind: z.enum(['api', 'schedule', 'webhook']).describe('What started it.'),
    id: z.string().nullable().describe('The schedule or webhook that started it; null for an API call.'),
  }),
  cancel_requested: z
    .boolean()
    .describe('POST …/cancel was called; the run ends as cancelled unless it finished first.'),
  created_at: Timestamp,
  started_at: Timestamp.nullable(),
  finished_at: Timestamp.nullable(),
  result: RunAgentAnswer.nullable().describe('Once succeeded: what POST …/run answers.'),
  error: z
    .object({ code: z.string(), message: z.string() })
    .nullable()
    .describe('Once failed (or cancelled): why, e.g. daily_limit_reached, runtime_unavailable, replica_lost.'),
  links: z.object({
    self: z.string(),
    events: z.string().describe('Server-Sent Events of the run; resume with Last-Event-ID.'),
    cancel: z.string(),
  }),
});
export type BackgroundRunView = z.infer<typeof BackgroundRunView>;

export const BackgroundRunPage = z.object({
  runs: z.array(BackgroundRunView),
  next_cursor: z.string().nullable().describe('Pass as ?cursor= for the next page; null on the last one.'),
});
export type BackgroundRunPage = z.infer<typeof BackgroundRunPage>;

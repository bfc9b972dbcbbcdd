import type { Logger } from 'pino';
import { InvalidInput } from '../errors.ts';
import { orgRoute } from '../http/api-route.ts';
import { serverSentEventsBody } from '../http/server-sent-events.ts';
import {
  AgentRunsParams,
  BackgroundRunPage,
  BackgroundRunsQuery,
  BackgroundRunView,
  RunEventsQuery,
  RunParams,
} from '../schemas/background-run.ts';
import { RunAgentBody } from '../schemas/run-agent.ts';
import type { BackgroundRunService } from '../services/background-runs/background-run-service.ts';
import { rateLimitHeaders } from '../services/usage-service.ts';
import { backgroundRunViewOf } from './background-run-view-of.ts';

const lastEventIdPattern = /^(0|[1-9][0-9]{0,8})$/;

export function backgroundRunRoutes(runs: BackgroundRunService, deps: { apiPrefix: string; log: Logger }) {
  const viewOf = (slug: string) => (run: Parameters<typeof backgroundRunViewOf>[0]) =>
    backgroundRunViewOf(run, { slug, apiPrefix: deps.apiPrefix });
  return [
    orgRoute({
      method: 'post',
      path: '/orgs/{slug}/agents/{name}/runs',
      summary: 'Start a background run of a deployed agent; answers 202 with its id at once',
      description:
        'Takes the body of POST …/run and counts like it (X-RateLimit-* headers; 429 daily_limit_reached at ' +
        'the start, and then no run exists). The run executes on the API replica that accepted it, at most ' +
        'ASTROMESH_MAX_BACKGROUND_RUNS at once per replica; the others wait as queued (when the agent is ' +
        'paused or the day is used up by then, the run fails with that reason). Follow links.self or ' +
        'links.events.',
      tag: 'Background runs',
      params: AgentRunsParams,
      body: RunAgentBody,
      response: BackgroundRunView,
      status: 202,
      errors: [404, 429, 503],
      handle: async ({ access, params, body, ctx }) =>
        viewOf(access.orgSlug)(
          await runs.start({
            access,
            agentName: params.name,
            request: body,
            origin: { kind: 'api' },
            onRateLimit: (rateLimit) => ctx.set(rateLimitHeaders(rateLimit)),
          }),
        ),
    }),
    orgRoute({
      method: 'get',
      path: '/orgs/{slug}/agents/{name}/runs',
      summary: "The agent's background runs, newest first",
      description: 'Pages follow next_cursor. Finished runs are kept 30 days.',
      tag: 'Background runs',
      params: AgentRunsParams,
      query: BackgroundRunsQuery,
      response: BackgroundRunPage,
      handle: async ({ access, params, query }): Promise<BackgroundRunPage> => {
        const page = await runs.list(access, { agentName: params.name, cursor: query.cursor, limit: query.limit });
        return { runs: page.runs.map(viewOf(access.orgSlug)), next_cursor: page.nextCursor };
      },
    }),
    orgRoute({
      method: 'get',
      path: '/orgs/{slug}/runs/{run_id}',
      summary: "A background run's state, and its result or error once finished",
      tag: 'Background runs',
      params: RunParams,
      response: BackgroundRunView,
      errors: [404],
      handle: async ({ access, params }) => viewOf(access.orgSlug)(await runs.get(access, params.run_id)),
    }),
    orgRoute({
      method: 'get',
      path: '/orgs/{slug}/runs/{run_id}/events',
      summary: "A background run's events as Server-Sent Events, resumable with Last-Event-ID",
      description:
        'text/event-stream: each event has an `id:` (1, 2, …) and one `data:` line of JSON with its `type`: ' +
        '`token`, `tool_call`, `tool_result`, then a final `done` (the fields of a run answer), `error` ' +
        '(`{error, message, status}`) or `cancelled`, after which the stream ends. Reconnecting with ' +
        'Last-Event-ID (or ?last_event_id=) gives exactly the events after that one, from any API replica. ' +
        'Answers 204 when the run has finished and no event follows (an EventSource then stops ' +
        'reconnecting). Events are kept ASTROMESH_RUN_EVENTS_RETENTION_HOURS after the run finished.',
      tag: 'Background runs',
      params: RunParams,
      query: RunEventsQuery,
      errors: [404],
      handle: async ({ access, params, query, ctx }) => {
        const afterSeq = lastEventIdOf(ctx.get('last-event-id'), query.last_event_id);
        const controller = new AbortController();
        const events = await runs.eventsOf(access, { id: params.run_id, afterSeq, signal: controller.signal });
        // Koa turns a null body into 204 No Content.
        if (!events) return null;
        ctx.set({ 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', 'X-Accel-Buffering': 'no' });
        return serverSentEventsBody(async function* (signal) {
          signal.addEventListener('abort', () => controller.abort(), { once: true });
          for await (const event of events) yield { id: event.seq, data: event.data };
        }, deps.log);
      },
    }),
    orgRoute({
      method: 'post',
      path: '/orgs/{slug}/runs/{run_id}/cancel',
      summary: 'Cancel a queued or running background run, from any API replica',
      description:
        'The replica running it aborts it (its model request included) and it ends as cancelled; a run ' +
        'cancelled before its query reached a model is not counted. Answers 202 with the run: cancelled ' +
        'already when this replica ran it, else cancel_requested until its replica hears of it (within ' +
        'seconds). A finished run is answered as it ended, unchanged.',
      tag: 'Background runs',
      params: RunParams,
      response: BackgroundRunView,
      status: 202,
      errors: [404],
      handle: async ({ access, params }) => viewOf(access.orgSlug)(await runs.cancel(access, params.run_id)),
    }),
  ];
}

/** Where to resume: the Last-Event-ID header, else ?last_event_id=, else from the start. */
function lastEventIdOf(header: string, query: string | undefined): number {
  if (header === '') return Number(query ?? 0);
  if (!lastEventIdPattern.test(header))
    throw new InvalidInput('Last-Event-ID: must be the id of an event of this run (a whole number)');
  return Number(header);
}

import type Router from '@koa/router';
import { z } from 'zod';
import type { TraceView } from '../../observability/trace-store.ts';
import { RuntimeError } from '../../runtime-error.ts';
import { queryInteger } from '../query-integer.ts';
import type { RuntimeServices } from '../runtime-services.ts';
import { parse } from './parse.ts';

// The contracts of /v1/traces, /v1/metrics and /v1/system (seed 002); the OpenAPI document
// (../openapi/) is built from them.

export const TraceQuery = z.object({
  agent: z.string().max(128).optional(),
  limit: queryInteger({ min: 1, max: 100, default: 20 }),
});
export const TraceParams = z.object({ id: z.string() });

export const Trace = z.object({
  trace_id: z.string(),
  agent: z.string().nullable(),
  session_id: z.string().nullable(),
  spans: z.array(
    z.object({
      name: z.string(),
      span_id: z.string(),
      parent_span_id: z.string().nullable(),
      status: z.enum(['UNSET', 'OK', 'ERROR']),
      attributes: z.record(z.string(), z.unknown()),
      events: z.array(z.object({ name: z.string(), time: z.string(), attributes: z.record(z.string(), z.unknown()) })),
      start_time: z.string(),
      end_time: z.string(),
      duration_ms: z.number(),
    }),
  ),
});
// The store's view type lives in trace-store.ts; this fails to compile if the two drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const traceMatchesTraceView: Same<z.infer<typeof Trace>, TraceView> = true;
export const TraceList = z.object({ traces: z.array(Trace) });

export const MetricsSnapshot = z.object({
  counters: z.record(z.string(), z.number()),
  histograms: z.record(
    z.string(),
    z.object({
      count: z.int(),
      sum: z.number(),
      avg: z.number(),
      min: z.number(),
      max: z.number(),
      p50: z.number(),
      p95: z.number(),
      p99: z.number(),
      buckets: z.array(z.object({ le: z.union([z.number(), z.literal('+Inf')]), count: z.int() })),
    }),
  ),
});
export const MetricsReset = z.object({ status: z.literal('reset') });

export const ReloadAnswer = z.object({
  agents: z.array(z.object({ name: z.string(), status: z.enum(['ready', 'error']), error: z.string().optional() })),
});

export const SystemStatus = z.object({
  version: z.string(),
  status: z.literal('running'),
  mode: z.literal('standalone'),
  pid: z.int(),
  uptime_seconds: z.int(),
  agents_loaded: z.int(),
  active_runs: z.int(),
  providers: z.object({ healthy: z.int(), degraded: z.int(), unavailable: z.int() }),
});

export function observabilityRoutes(router: Router, services: RuntimeServices): void {
  router.get('/traces', (ctx) => {
    const query = parse(TraceQuery, ctx.query, 'query');
    ctx.body = { traces: services.traces.list(query) } satisfies z.infer<typeof TraceList>;
  });

  router.get('/traces/:id', (ctx) => {
    const found = services.traces.get(ctx.params.id as string);
    if (!found) throw new RuntimeError('trace_not_found', 404, `trace '${ctx.params.id}' is not (or no longer) kept`);
    ctx.body = found satisfies z.infer<typeof Trace>;
  });

  router.get('/metrics', (ctx) => {
    ctx.body = services.metrics.snapshot() satisfies z.infer<typeof MetricsSnapshot>;
  });

  router.post('/metrics/reset', (ctx) => {
    services.metrics.reset();
    ctx.body = { status: 'reset' } satisfies z.infer<typeof MetricsReset>;
  });

  // A deployer that just wrote agent files and credentials (the Cloud API's local backend) calls
  // this to know they are live, rather than guessing how long file events take.
  router.post('/system/reload', async (ctx) => {
    await services.reload();
    ctx.body = {
      agents: services.agentFiles().map((entry) => ({
        name: entry.name,
        status: services.engine.isLoaded(entry.name) ? 'ready' : 'error',
        ...(entry.error ? { error: entry.error } : {}),
      })),
    } satisfies z.infer<typeof ReloadAnswer>;
  });

  router.get('/system/status', (ctx) => {
    const states = Object.values(services.breakers.states(services.now()));
    ctx.body = {
      version: services.version,
      status: 'running',
      mode: 'standalone',
      pid: process.pid,
      uptime_seconds: Math.floor((services.now() - services.startedAtMs) / 1000),
      agents_loaded: services.agentFiles().filter((entry) => services.engine.isLoaded(entry.name)).length,
      active_runs: services.engine.activeRuns(),
      providers: {
        healthy: states.filter((state) => state === 'closed').length,
        degraded: states.filter((state) => state === 'half_open').length,
        unavailable: states.filter((state) => state === 'open').length,
      },
    } satisfies z.infer<typeof SystemStatus>;
  });
}

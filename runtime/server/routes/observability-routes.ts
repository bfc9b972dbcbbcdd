import type Router from '@koa/router';
import { z } from 'zod';
import { RuntimeError } from '../../runtime-error.ts';
import type { RuntimeServices } from '../runtime-services.ts';
import { parse } from './parse.ts';

const TraceQuery = z.object({
  agent: z.string().max(128).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

export function observabilityRoutes(router: Router, services: RuntimeServices): void {
  router.get('/traces', (ctx) => {
    const query = parse(TraceQuery, ctx.query, 'query');
    ctx.body = { traces: services.traces.list(query) };
  });

  router.get('/traces/:id', (ctx) => {
    const found = services.traces.get(ctx.params.id as string);
    if (!found) throw new RuntimeError('trace_not_found', 404, `trace '${ctx.params.id}' is not (or no longer) kept`);
    ctx.body = found;
  });

  router.get('/metrics', (ctx) => {
    ctx.body = services.metrics.snapshot();
  });

  router.post('/metrics/reset', (ctx) => {
    services.metrics.reset();
    ctx.body = { status: 'reset' };
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
    };
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
    };
  });
}

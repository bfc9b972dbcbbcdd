import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

/** One finished run, test or stream, as the execution service reports it. */
export interface RunRecord {
  /** The org's slug. */
  org: string;
  /** The agent's name within the org. */
  agent: string;
  kind: 'run' | 'test' | 'stream';
  /** `ok`, or the error code the caller got (`provider_error`, `run_timeout`…). */
  outcome: string;
  tokensIn: number;
  tokensOut: number;
  /** The run's price in nano-dollars; null when unpriced. */
  costNanoUsd: number | null;
  latencyMs: number;
}

/**
 * The API's Prometheus metrics, in a registry of its own (never the global one, so two APIs in
 * one process, as in the tests, count separately): HTTP requests by method, route template and
 * status, their latency, and runs and tokens by org and agent.
 */
export function createApiMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests answered, by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving a request to its response, by method, route template and status.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const runs = new Counter({
    name: 'astromesh_runs_total',
    help: 'Agent runs, tests and streams, by org, agent, kind and outcome.',
    labelNames: ['org', 'agent', 'kind', 'outcome'] as const,
    registers: [registry],
  });
  const tokens = new Counter({
    name: 'astromesh_tokens_total',
    help: 'Model tokens used by agent runs, by org, agent and direction (in: prompt, out: completion).',
    labelNames: ['org', 'agent', 'direction'] as const,
    registers: [registry],
  });

  return {
    observeRequest(request: { method: string; route: string; status: number; durationSeconds: number }): void {
      const labels = { method: request.method, route: request.route, status: String(request.status) };
      httpRequests.inc(labels);
      httpDuration.observe(labels, request.durationSeconds);
    },
    /** Call once per finished run, test or stream, whatever its outcome. */
    recordRun(run: RunRecord): void {
      runs.inc({ org: run.org, agent: run.agent, kind: run.kind, outcome: run.outcome });
      if (run.tokensIn > 0) tokens.inc({ org: run.org, agent: run.agent, direction: 'in' }, run.tokensIn);
      if (run.tokensOut > 0) tokens.inc({ org: run.org, agent: run.agent, direction: 'out' }, run.tokensOut);
    },
    contentType: registry.contentType,
    /** The Prometheus text exposition of every metric. */
    render: () => registry.metrics(),
  };
}
export type ApiMetrics = ReturnType<typeof createApiMetrics>;
export type RecordRun = ApiMetrics['recordRun'];

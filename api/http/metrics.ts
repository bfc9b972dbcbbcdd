import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { createLabelPairFolder } from './fold-label-pairs.ts';

/**
 * At most this many org × agent label pairs per process in the run metrics; later pairs are
 * counted as org="other", agent="other" (README, "Operating it"). A pair in use holds about 35
 * series (the latency histogram's buckets for run and test, runs by outcome, tokens, cost), so a
 * scrape stays under ~20,000 series however many orgs and agents users create.
 */
export const maxOrgAgentLabelPairs = 500;

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
 * status, their latency, and runs, tokens, cost and run latency by org and agent (at most
 * `maxOrgAgentPairs` org × agent pairs; later ones fold into org="other", agent="other").
 */
export function createApiMetrics(options: { maxOrgAgentPairs?: number } = {}) {
  const foldPair = createLabelPairFolder(options.maxOrgAgentPairs ?? maxOrgAgentLabelPairs);
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
  const cost = new Counter({
    name: 'astromesh_cost_usd_total',
    help: 'USD the priced runs, tests and streams cost (tokens × the model price), by org and agent.',
    labelNames: ['org', 'agent'] as const,
    registers: [registry],
  });
  const unpriced = new Counter({
    name: 'astromesh_unpriced_runs_total',
    help: 'Runs, tests and streams that used tokens of a model without a price, by org and agent.',
    labelNames: ['org', 'agent'] as const,
    registers: [registry],
  });
  const runDuration = new Histogram({
    name: 'astromesh_run_duration_seconds',
    help: 'Time from a run, test or stream query being taken to its end, by org, agent and kind.',
    labelNames: ['org', 'agent', 'kind'] as const,
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
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
      const pair = foldPair(run);
      runs.inc({ ...pair, kind: run.kind, outcome: run.outcome });
      runDuration.observe({ ...pair, kind: run.kind }, run.latencyMs / 1000);
      if (run.tokensIn > 0) tokens.inc({ ...pair, direction: 'in' }, run.tokensIn);
      if (run.tokensOut > 0) tokens.inc({ ...pair, direction: 'out' }, run.tokensOut);
      if (run.costNanoUsd === null) unpriced.inc(pair);
      else if (run.costNanoUsd > 0) cost.inc(pair, run.costNanoUsd / 1e9);
    },
    contentType: registry.contentType,
    /** The Prometheus text exposition of every metric. */
    render: () => registry.metrics(),
  };
}
export type ApiMetrics = ReturnType<typeof createApiMetrics>;
export type RecordRun = ApiMetrics['recordRun'];

import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { ReconcileReport } from './run-workers.ts';

/**
 * The operator's Prometheus metrics, in a registry of its own (never the global one, so two
 * operators in one process, as in tests, count apart): reconciles by result and their duration,
 * reconcile errors, and, read at scrape time from the callbacks, the work queue's depth and
 * whether this replica leads.
 */
export function createControllerMetrics(sources: { queueDepth: () => number; isLeader: () => boolean }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const reconciles = new Counter({
    name: 'astromesh_operator_reconciles_total',
    help: 'Org reconciles finished, by result: success, requeue_after, error (retried) or terminal_error (not retried).',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const reconcileDuration = new Histogram({
    name: 'astromesh_operator_reconcile_duration_seconds',
    help: 'Time one org reconcile took, whatever its result.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const reconcileErrors = new Counter({
    name: 'astromesh_operator_reconcile_errors_total',
    help: 'Org reconciles that failed, retried or not.',
    registers: [registry],
  });
  new Gauge({
    name: 'astromesh_operator_queue_depth',
    help: 'Org keys waiting in the work queue.',
    registers: [registry],
    collect() {
      this.set(sources.queueDepth());
    },
  });
  new Gauge({
    name: 'astromesh_operator_is_leader',
    help: '1 while this replica holds the leader lease and reconciles, else 0.',
    registers: [registry],
    collect() {
      this.set(sources.isLeader() ? 1 : 0);
    },
  });

  return {
    /** Records one finished reconcile; fits `runWorkers`'s `onResult`. */
    observeReconcile(report: Pick<ReconcileReport, 'outcome' | 'durationMs'>): void {
      reconciles.inc({ result: report.outcome });
      reconcileDuration.observe(report.durationMs / 1000);
      if (report.outcome === 'error' || report.outcome === 'terminal_error') reconcileErrors.inc();
    },
    contentType: registry.contentType,
    /** The Prometheus text exposition of every metric. */
    render: () => registry.metrics(),
  };
}
export type ControllerMetrics = ReturnType<typeof createControllerMetrics>;

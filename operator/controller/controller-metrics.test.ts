import { describe, expect, it } from 'vitest';
import { createControllerMetrics } from './controller-metrics.ts';

describe('createControllerMetrics', () => {
  it('counts reconciles by result, their errors and their duration', async () => {
    const metrics = createControllerMetrics({ queueDepth: () => 0, isLeader: () => true });

    metrics.observeReconcile({ outcome: 'success', durationMs: 20 });
    metrics.observeReconcile({ outcome: 'success', durationMs: 30 });
    metrics.observeReconcile({ outcome: 'error', durationMs: 5 });
    metrics.observeReconcile({ outcome: 'terminal_error', durationMs: 5 });
    const text = await metrics.render();

    expect(text).toContain('astromesh_operator_reconciles_total{result="success"} 2');
    expect(text).toContain('astromesh_operator_reconciles_total{result="error"} 1');
    expect(text).toContain('astromesh_operator_reconciles_total{result="terminal_error"} 1');
    expect(text).toContain('astromesh_operator_reconcile_errors_total 2');
    expect(text).toContain('astromesh_operator_reconcile_duration_seconds_count 4');
    expect(text).toContain('astromesh_operator_reconcile_duration_seconds_bucket{le="0.025"} 3');
  });

  it('reads the queue depth and leadership when scraped, not when created', async () => {
    let depth = 0;
    let isLeader = false;
    const metrics = createControllerMetrics({ queueDepth: () => depth, isLeader: () => isLeader });
    const before = await metrics.render();

    depth = 7;
    isLeader = true;
    const after = await metrics.render();

    expect(before).toContain('astromesh_operator_queue_depth 0');
    expect(before).toContain('astromesh_operator_is_leader 0');
    expect(after).toContain('astromesh_operator_queue_depth 7');
    expect(after).toContain('astromesh_operator_is_leader 1');
  });

  it('keeps two instances apart', async () => {
    const first = createControllerMetrics({ queueDepth: () => 0, isLeader: () => false });
    const second = createControllerMetrics({ queueDepth: () => 0, isLeader: () => false });

    first.observeReconcile({ outcome: 'success', durationMs: 1 });

    expect(await second.render()).not.toContain('astromesh_operator_reconciles_total{result="success"}');
  });
});

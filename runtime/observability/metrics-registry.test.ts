import { describe, expect, it } from 'vitest';
import { createMetricsRegistry } from './metrics-registry.ts';

describe('createMetricsRegistry', () => {
  it('counts by name', () => {
    const metrics = createMetricsRegistry();

    metrics.increment('agent.runs');
    metrics.increment('agent.runs');
    metrics.increment('tool.executions', 3);

    expect(metrics.snapshot().counters).toEqual({ 'agent.runs': 2, 'tool.executions': 3 });
  });

  it('summarises a latency histogram with count, sum, avg, min and max', () => {
    const metrics = createMetricsRegistry();

    for (const ms of [4, 8, 12]) metrics.observe('agent.latency_ms', ms);

    expect(metrics.snapshot().histograms['agent.latency_ms']).toMatchObject({
      count: 3,
      sum: 24,
      avg: 8,
      min: 4,
      max: 12,
    });
  });

  it('estimates percentiles from the bucket holding the rank', () => {
    const metrics = createMetricsRegistry();

    for (let i = 0; i < 98; i++) metrics.observe('latency', 3);
    metrics.observe('latency', 400);
    metrics.observe('latency', 9_000);

    expect(metrics.snapshot().histograms.latency).toMatchObject({ p50: 5, p95: 5, p99: 500 });
  });

  it('never reports a percentile above the largest value seen', () => {
    const metrics = createMetricsRegistry();

    metrics.observe('latency', 260);

    expect(metrics.snapshot().histograms.latency).toMatchObject({ p50: 260, p99: 260 });
  });

  it('counts values past the last bucket in +Inf', () => {
    const metrics = createMetricsRegistry();

    metrics.observe('latency', 500_000);

    expect(metrics.snapshot().histograms.latency?.buckets.at(-1)).toEqual({ le: '+Inf', count: 1 });
  });

  it('forgets everything on reset', () => {
    const metrics = createMetricsRegistry();
    metrics.increment('agent.runs');
    metrics.observe('latency', 1);

    metrics.reset();

    expect(metrics.snapshot()).toEqual({ counters: {}, histograms: {} });
  });
});

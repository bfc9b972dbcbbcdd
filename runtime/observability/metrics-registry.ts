// In-memory counters and latency histograms for GET /v1/metrics (seed 002). Histograms use
// fixed millisecond buckets, so memory stays constant however many runs are recorded, and
// percentiles are estimated from the buckets (upper bound of the bucket holding the rank).
const bucketBoundsMs = [1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 120_000];

interface Histogram {
  count: number;
  sum: number;
  min: number;
  max: number;
  buckets: number[];
}

export interface HistogramSnapshot {
  count: number;
  sum: number;
  avg: number;
  min: number;
  max: number;
  p50: number;
  p95: number;
  p99: number;
  buckets: { le: number | '+Inf'; count: number }[];
}

export function createMetricsRegistry() {
  const counters = new Map<string, number>();
  const histograms = new Map<string, Histogram>();

  return {
    increment(name: string, by = 1): void {
      counters.set(name, (counters.get(name) ?? 0) + by);
    },
    observe(name: string, valueMs: number): void {
      let histogram = histograms.get(name);
      if (!histogram) {
        histogram = {
          count: 0,
          sum: 0,
          min: Number.POSITIVE_INFINITY,
          max: 0,
          buckets: new Array(bucketBoundsMs.length + 1).fill(0),
        };
        histograms.set(name, histogram);
      }
      histogram.count++;
      histogram.sum += valueMs;
      histogram.min = Math.min(histogram.min, valueMs);
      histogram.max = Math.max(histogram.max, valueMs);
      const bound = bucketBoundsMs.findIndex((upper) => valueMs <= upper);
      const bucket = bound === -1 ? bucketBoundsMs.length : bound;
      histogram.buckets[bucket] = (histogram.buckets[bucket] ?? 0) + 1;
    },
    snapshot(): { counters: Record<string, number>; histograms: Record<string, HistogramSnapshot> } {
      return {
        counters: Object.fromEntries([...counters].sort(([a], [b]) => a.localeCompare(b))),
        histograms: Object.fromEntries(
          [...histograms].sort(([a], [b]) => a.localeCompare(b)).map(([name, h]) => [name, snapshotOf(h)]),
        ),
      };
    },
    reset(): void {
      counters.clear();
      histograms.clear();
    },
  };
}
export type MetricsRegistry = ReturnType<typeof createMetricsRegistry>;

function snapshotOf(h: Histogram): HistogramSnapshot {
  const percentile = (p: number) => {
    const rank = Math.ceil(p * h.count);
    let seen = 0;
    for (let i = 0; i < h.buckets.length; i++) {
      seen += h.buckets[i] as number;
      if (seen >= rank) return Math.min(bucketBoundsMs[i] ?? h.max, h.max);
    }
    return h.max;
  };
  return {
    count: h.count,
    sum: round(h.sum),
    avg: round(h.sum / h.count),
    min: round(h.min),
    max: round(h.max),
    p50: round(percentile(0.5)),
    p95: round(percentile(0.95)),
    p99: round(percentile(0.99)),
    buckets: h.buckets.map((count, i) => ({ le: bucketBoundsMs[i] ?? '+Inf', count })),
  };
}

const round = (value: number) => Math.round(value * 100) / 100;

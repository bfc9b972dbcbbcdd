/**
 * Smoothed latency per candidate (exponential moving average, new samples weighted 0.2), shared
 * by every agent of the runtime, for latency_optimized routing and /v1/system views.
 */
export function createLatencyTracker(options: { weight?: number } = {}) {
  const weight = options.weight ?? 0.2;
  const smoothed = new Map<string, number>();
  return {
    get(candidateKey: string): number | undefined {
      return smoothed.get(candidateKey);
    },
    record(candidateKey: string, latencyMs: number): void {
      const previous = smoothed.get(candidateKey);
      smoothed.set(candidateKey, previous === undefined ? latencyMs : previous * (1 - weight) + latencyMs * weight);
    },
  };
}
export type LatencyTracker = ReturnType<typeof createLatencyTracker>;

export interface LoadStats {
  p50: number;
  p99: number;
  mean: number;
  runsPerSecond: number;
}

/**
 * Sends `total` calls, `concurrency` at a time (each worker starts its next call when its last
 * one ends), and returns their latency percentiles in ms and the calls finished per second.
 */
export async function measureLoad(
  call: () => Promise<unknown>,
  concurrency: number,
  total: number,
): Promise<LoadStats> {
  const latencies: number[] = [];
  let next = 0;
  const startedAt = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        const callStartedAt = performance.now();
        await call();
        latencies.push(performance.now() - callStartedAt);
      }
    }),
  );
  const elapsedSeconds = (performance.now() - startedAt) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] as number;
  return {
    p50: at(0.5),
    p99: at(0.99),
    mean: latencies.reduce((sum, value) => sum + value, 0) / latencies.length,
    runsPerSecond: latencies.length / elapsedSeconds,
  };
}

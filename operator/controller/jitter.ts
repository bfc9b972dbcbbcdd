/**
 * `durationMs` stretched by a random share of up to `maxFactor` (client-go's wait.Jitter), so
 * that many replicas started together do not retry, relist or renew in lockstep.
 */
export function jittered(durationMs: number, maxFactor: number, random: () => number = Math.random): number {
  return durationMs + random() * maxFactor * durationMs;
}

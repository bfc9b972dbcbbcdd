/** ToolSpec.rate_limit: at most `max_calls` calls in any `window_seconds`. */
export interface RateLimit {
  window_seconds: number;
  max_calls: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * A sliding-window log per (agent, tool). It keeps at most `max_calls` timestamps per key, so its
 * memory is bounded by the agents' own limits. Time comes from `clock`: tests pass a fixed one.
 */
export function createRateLimiter(deps: { clock: () => Date }) {
  const callTimesMs = new Map<string, number[]>();

  return {
    /** Records a call and says whether it is within the limit; a refused call is not recorded. */
    tryAcquire(request: { agent: string; tool: string; limit: RateLimit }): RateDecision {
      const key = JSON.stringify([request.agent, request.tool]);
      const nowMs = deps.clock().getTime();
      const windowMs = request.limit.window_seconds * 1000;
      const recent = (callTimesMs.get(key) ?? []).filter((timeMs) => timeMs > nowMs - windowMs);
      if (recent.length >= request.limit.max_calls) {
        callTimesMs.set(key, recent);
        const oldestMs = recent[0] ?? nowMs;
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((oldestMs + windowMs - nowMs) / 1000)) };
      }
      recent.push(nowMs);
      callTimesMs.set(key, recent);
      return { allowed: true };
    },
  };
}
export type RateLimiter = ReturnType<typeof createRateLimiter>;

export type BreakerState = 'closed' | 'open' | 'half_open';

export interface CircuitBreaker {
  /** Whether a request may go to this candidate now; in half-open state, one trial at a time. */
  tryAcquire(nowMs: number): boolean;
  recordSuccess(): void;
  recordFailure(nowMs: number): void;
  state(nowMs: number): BreakerState;
}

/**
 * Per-candidate circuit breaker: `failureThreshold` consecutive failed requests open it for
 * `openMs`; then it is half-open and lets one trial request through. Success closes it, failure
 * opens it again. A dead provider then costs one fast skip instead of a timeout per request.
 */
export function createCircuitBreaker(options: { failureThreshold?: number; openMs?: number } = {}): CircuitBreaker {
  const { failureThreshold = 3, openMs = 60_000 } = options;
  let consecutiveFailures = 0;
  let openedAtMs: number | undefined;
  let trialInFlight = false;

  const state = (nowMs: number): BreakerState => {
    if (openedAtMs === undefined) return 'closed';
    return nowMs - openedAtMs >= openMs ? 'half_open' : 'open';
  };

  return {
    state,
    tryAcquire(nowMs) {
      const current = state(nowMs);
      if (current === 'closed') return true;
      if (current === 'open' || trialInFlight) return false;
      trialInFlight = true;
      return true;
    },
    recordSuccess() {
      consecutiveFailures = 0;
      openedAtMs = undefined;
      trialInFlight = false;
    },
    recordFailure(nowMs) {
      consecutiveFailures++;
      if (trialInFlight || consecutiveFailures >= failureThreshold) openedAtMs = nowMs;
      trialInFlight = false;
    },
  };
}

/** One breaker per candidate key, shared by every agent of the runtime that uses the candidate. */
export function createBreakerRegistry(options: { failureThreshold?: number; openMs?: number } = {}) {
  const breakers = new Map<string, CircuitBreaker>();
  return {
    get(candidateKey: string): CircuitBreaker {
      let breaker = breakers.get(candidateKey);
      if (!breaker) {
        breaker = createCircuitBreaker(options);
        breakers.set(candidateKey, breaker);
      }
      return breaker;
    },
    states(nowMs: number): Record<string, BreakerState> {
      return Object.fromEntries([...breakers].map(([key, breaker]) => [key, breaker.state(nowMs)]));
    },
  };
}
export type BreakerRegistry = ReturnType<typeof createBreakerRegistry>;

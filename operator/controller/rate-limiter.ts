export interface RateLimiterOptions {
  /** First retry delay of a failing key; doubles with every further failure. */
  baseDelayMs?: number;
  /** Longest a failing key waits, however often it failed. */
  maxDelayMs?: number;
  /** Retries the whole queue may start per second once the burst is spent. */
  ratePerSecond?: number;
  /** Retries that may start at once before `ratePerSecond` applies. */
  burst?: number;
  /** Milliseconds clock; tests pass a fixed one. */
  now?: () => number;
}

export interface RateLimiter {
  /** Records one more failure of `key` and returns how long it must wait before its retry. */
  when(key: string): number;
  /** Clears the failures of `key`, so its next failure starts from the base delay again. */
  forget(key: string): void;
  /** How many times `key` failed since it was last forgotten. */
  failures(key: string): number;
}

/**
 * client-go's DefaultControllerRateLimiter: the larger of a per-key exponential backoff (so one
 * broken org cannot spin) and a global token bucket (so a thousand orgs failing at once cannot
 * hammer the API server).
 */
export function createRateLimiter(options: RateLimiterOptions = {}): RateLimiter {
  const { baseDelayMs = 5, maxDelayMs = 300_000, ratePerSecond = 10, burst = 100, now = Date.now } = options;
  const failureCounts = new Map<string, number>();
  let tokens = burst;
  let lastRefillMs = now();

  // Like golang.org/x/time/rate Reserve(): a token is always taken, and a bucket in debt says
  // how long until that token would have existed.
  const takeToken = (): number => {
    const current = now();
    tokens = Math.min(burst, tokens + ((current - lastRefillMs) / 1000) * ratePerSecond);
    lastRefillMs = current;
    tokens -= 1;
    return tokens >= 0 ? 0 : (-tokens / ratePerSecond) * 1000;
  };

  return {
    when(key) {
      const previousFailures = failureCounts.get(key) ?? 0;
      failureCounts.set(key, previousFailures + 1);
      const backoffMs = Math.min(maxDelayMs, baseDelayMs * 2 ** previousFailures);
      return Math.max(backoffMs, takeToken());
    },
    forget(key) {
      failureCounts.delete(key);
    },
    failures(key) {
      return failureCounts.get(key) ?? 0;
    },
  };
}

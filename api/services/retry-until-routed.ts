import { setTimeout as delay } from 'node:timers/promises';
import { RunCancelled, RuntimeCallFailed } from '../backends/org-runtime/runtime-call-failed.ts';

const firstPauseMs = 100;
const longestPauseMs = 1_000;

/**
 * Makes a runtime call again while it fails before any runtime took the query in (`mayRetry`),
 * for up to `windowMs`: a runtime pod that just became Ready behind a Service whose routes and
 * DNS name still lag it, a runtime restarting, reloading its agents or shutting down during a
 * rollout. Pauses 100 ms between tries, doubling up to 1 s; the caller leaving ends the wait as a
 * cancelled call that was never sent. Past the window, or once `mayRetryNow` says no (a stream
 * that has passed events on), the last failure is thrown as it came. The window opens at the first
 * failure, not at the first try: a first try that waited for a sleeping org to wake (seconds on a
 * busy cluster) leaves the tries after it their whole window.
 */
export async function retryUntilRouted<T>(
  call: () => Promise<T>,
  options: {
    windowMs: number;
    signal: AbortSignal;
    mayRetryNow?: () => boolean;
    onRetry?: (failure: RuntimeCallFailed) => void;
  },
): Promise<T> {
  let deadline: number | undefined;
  for (let pauseMs = firstPauseMs; ; pauseMs = Math.min(pauseMs * 2, longestPauseMs)) {
    try {
      return await call();
    } catch (err) {
      deadline ??= performance.now() + options.windowMs;
      const remainingMs = deadline - performance.now();
      const mayRetry = err instanceof RuntimeCallFailed && err.mayRetry && (options.mayRetryNow?.() ?? true);
      // Under a millisecond left counts as spent: a timer may end that much before performance.now() says.
      if (!mayRetry || remainingMs < 1) throw err;
      options.onRetry?.(err);
      try {
        await delay(Math.min(pauseMs, remainingMs), undefined, { signal: options.signal });
      } catch {
        throw new RunCancelled({ wasSent: false });
      }
    }
  }
}

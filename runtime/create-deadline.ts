/**
 * A signal that aborts with `reason()` after `ms` (by default the TimeoutError DOMException
 * AbortSignal.timeout aborts with), and `clear()` to drop the timer once the work
 * it bounds is done. Used instead of `AbortSignal.timeout`, whose timer cannot be cancelled: in
 * Node 24, `AbortSignal.any` keeps every timeout signal it is given alive until that timeout
 * fires, and the timer holds the async context it was created in (the request, its response and
 * everything the run built). At hundreds of runs a second and a 120 s timeout, that was hundreds
 * of MiB of finished runs waiting for timers (issue 13).
 */
export function createDeadline(
  ms: number,
  reason: () => unknown = () => new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
): { signal: AbortSignal; clear(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(reason()), ms);
  // Like AbortSignal.timeout: a pending deadline alone never keeps the process running.
  timer.unref();
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}

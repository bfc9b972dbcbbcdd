import { setTimeout as delay } from 'node:timers/promises';

/**
 * Retries `check` until it stops throwing, then returns its result. On timeout it rethrows the
 * last error, so a failing test reports what was still wrong rather than "timed out".
 */
export async function eventually<T>(
  check: () => T | Promise<T>,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const { timeoutMs = 10_000, intervalMs = 50 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() >= deadline) throw err;
      await delay(intervalMs);
    }
  }
}

import { setTimeout as delay } from 'node:timers/promises';
import { ApiException } from '@kubernetes/client-node';

const maxAttempts = 5;
const maxWaitMs = 5_000;

/**
 * Calls the Kubernetes API, trying again after the server's Retry-After when it answers 429
 * (throttled by API priority and fairness, or a resource's cache still starting: "storage is
 * (re)initializing"), as client-go does. Every other answer is the caller's to handle.
 */
export async function retryThrottled<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof ApiException) || err.code !== 429 || attempt >= maxAttempts) throw err;
      const retryAfterSeconds = Number(err.headers?.['retry-after'] ?? 1);
      await delay(Math.min(Number.isFinite(retryAfterSeconds) ? retryAfterSeconds * 1000 : 1000, maxWaitMs));
    }
  }
}

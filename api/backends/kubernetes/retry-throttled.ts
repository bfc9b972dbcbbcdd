import { setTimeout as delay } from 'node:timers/promises';
import { ApiException } from '@kubernetes/client-node';

const maxAttempts = 5;
const maxWaitMs = 5_000;
// kube-controller-manager's quota controller looks for new resources every 30 s; on a loaded
// node it took over 40 s once.
const quotaDiscoveryAttempts = 90;
const quotaDiscoveryWaitMs = 1_000;

/**
 * Calls the Kubernetes API, trying again after the server's Retry-After when it answers 429
 * (throttled by API priority and fairness, or a resource's cache still starting: "storage is
 * (re)initializing"), as client-go does. Also tried again, every second for up to 90 s (within
 * the default deploy timeout): a 403 "status unknown for quota", which a ResourceQuota that counts
 * CloudAgents gives until the quota controller has discovered the CRD (right after `helm
 * install`, the first org's deploy met it). Every other answer is the caller's to handle.
 */
export async function retryThrottled<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof ApiException)) throw err;
      if (err.code === 403 && String(err.body).includes('status unknown for quota')) {
        if (attempt >= quotaDiscoveryAttempts) throw err;
        await delay(quotaDiscoveryWaitMs);
        continue;
      }
      if (err.code !== 429 || attempt >= maxAttempts) throw err;
      const retryAfterSeconds = Number(err.headers?.['retry-after'] ?? 1);
      await delay(Math.min(Number.isFinite(retryAfterSeconds) ? retryAfterSeconds * 1000 : 1000, maxWaitMs));
    }
  }
}

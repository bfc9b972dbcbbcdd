import { TerminalError } from './terminal-error.ts';
import type { WorkQueue } from './work-queue.ts';

/** What a reconcile asks for besides success: come back later even if nothing changes. */
// biome-ignore lint/suspicious/noConfusingVoidType: a reconcile with nothing to ask for is a plain `async () => {}`.
export type ReconcileResult = { requeueAfterMs?: number } | undefined | void;

/** How one reconcile of one key ended, for metrics and logs. */
export interface ReconcileReport {
  key: string;
  durationMs: number;
  /**
   * `success`; `requeue_after` (success, asked to come back); `error` (retried with backoff);
   * `terminal_error` (a `TerminalError`: reported, not retried).
   */
  outcome: 'success' | 'requeue_after' | 'error' | 'terminal_error';
  error?: unknown;
}

/**
 * Runs `workers` loops that take keys from `queue` and reconcile them, controller-runtime style:
 * success forgets the key's failures (and re-adds it after `requeueAfterMs` if asked), an error
 * re-adds it with backoff, a `TerminalError` is reported and forgotten. The queue never hands one
 * key to two workers. Aborting `signal` shuts the queue down (so idle workers wake; a queue serves
 * one run) and the promise resolves once the reconciles in flight have finished. `onResult` must
 * not throw.
 */
export async function runWorkers(options: {
  queue: WorkQueue;
  workers: number;
  reconcile: (key: string, signal: AbortSignal) => Promise<ReconcileResult>;
  onResult?: (report: ReconcileReport) => void;
  signal: AbortSignal;
}): Promise<void> {
  const { queue, signal } = options;
  const shutDown = () => queue.shutDown();
  if (signal.aborted) shutDown();
  else signal.addEventListener('abort', shutDown, { once: true });
  try {
    await Promise.all(Array.from({ length: options.workers }, () => runWorker(options)));
  } finally {
    signal.removeEventListener('abort', shutDown);
  }
}

async function runWorker(options: Parameters<typeof runWorkers>[0]): Promise<void> {
  const { queue, reconcile, onResult, signal } = options;
  for (let key = await queue.get(); key !== undefined; key = await queue.get()) {
    const startedAt = performance.now();
    let report: Omit<ReconcileReport, 'key' | 'durationMs'>;
    try {
      const result = await reconcile(key, signal);
      queue.forget(key);
      const requeueAfterMs = result?.requeueAfterMs;
      if (requeueAfterMs !== undefined) queue.addAfter(key, requeueAfterMs);
      report = { outcome: requeueAfterMs === undefined ? 'success' : 'requeue_after' };
    } catch (error) {
      if (error instanceof TerminalError) {
        // Only the user can fix it; the next change to their object enqueues the key again.
        queue.forget(key);
        report = { outcome: 'terminal_error', error };
      } else {
        queue.addRateLimited(key);
        report = { outcome: 'error', error };
      }
    } finally {
      queue.done(key);
    }
    onResult?.({ key, durationMs: performance.now() - startedAt, ...report });
  }
}

import { createRateLimiter, type RateLimiterOptions } from './rate-limiter.ts';

export type WorkQueueOptions = Omit<RateLimiterOptions, 'now'>;

/** A keyed work queue with client-go semantics; see `createWorkQueue`. */
export interface WorkQueue {
  /** Queues `key` unless it already waits; a key being processed is queued again once it is done. */
  add(key: string): void;
  /** Queues `key` after `delayMs`; of several pending delays for one key, the earliest wins. */
  addAfter(key: string, delayMs: number): void;
  /** Queues `key` after its backoff: the larger of its exponential per-key delay and the global rate limit. */
  addRateLimited(key: string): void;
  /** Resets the failures of `key`; call it once `key` was processed successfully. */
  forget(key: string): void;
  /** How often `key` was retried with backoff since it was last forgotten. */
  failures(key: string): number;
  /** The next key to process, waiting for one if need be; `undefined` once the queue is shut down. */
  get(): Promise<string | undefined>;
  /** Marks `key` as processed; if it was added meanwhile, it is queued again now. */
  done(key: string): void;
  /**
   * Wakes every waiting `get()` with `undefined` and drops waiting and delayed keys (unlike
   * client-go, which drains them: a stopped controller must not start new reconciles); later
   * adds are ignored.
   */
  shutDown(): void;
  readonly isShutDown: boolean;
  /** Keys waiting to be processed (not counting delayed ones or those being processed). */
  readonly length: number;
}

/**
 * A de-duplicating, rate-limited work queue keyed by string, as client-go's workqueue: the
 * operator is level-triggered, so ten events for one org must cause one reconcile, and two
 * workers must never reconcile the same org at once.
 */
export function createWorkQueue(options: WorkQueueOptions = {}): WorkQueue {
  const rateLimiter = createRateLimiter(options);
  const waiting: string[] = [];
  // Keys that need processing: every waiting key, plus a processing key added again meanwhile.
  const dirty = new Set<string>();
  const processing = new Set<string>();
  const delayed = new Map<string, { readyAtMs: number; timer: NodeJS.Timeout }>();
  const getters: Array<(key: string | undefined) => void> = [];
  let isShutDown = false;

  const take = (): string => {
    const key = waiting.shift() as string;
    dirty.delete(key);
    processing.add(key);
    return key;
  };

  const handOut = (): void => {
    while (getters.length > 0 && waiting.length > 0) getters.shift()?.(take());
  };

  const add = (key: string): void => {
    if (isShutDown || dirty.has(key)) return;
    dirty.add(key);
    if (processing.has(key)) return;
    waiting.push(key);
    handOut();
  };

  const addAfter = (key: string, delayMs: number): void => {
    if (isShutDown) return;
    if (delayMs <= 0) {
      add(key);
      return;
    }
    const readyAtMs = Date.now() + delayMs;
    const pending = delayed.get(key);
    if (pending && pending.readyAtMs <= readyAtMs) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      delayed.delete(key);
      add(key);
    }, delayMs);
    // A pending retry alone must not keep a finished process alive.
    timer.unref();
    delayed.set(key, { readyAtMs, timer });
  };

  return {
    add,
    addAfter,
    addRateLimited: (key) => addAfter(key, rateLimiter.when(key)),
    forget: (key) => rateLimiter.forget(key),
    failures: (key) => rateLimiter.failures(key),
    get() {
      if (isShutDown) return Promise.resolve(undefined);
      if (waiting.length > 0) return Promise.resolve(take());
      return new Promise((resolve) => getters.push(resolve));
    },
    done(key) {
      processing.delete(key);
      if (!dirty.has(key) || isShutDown) return;
      waiting.push(key);
      handOut();
    },
    shutDown() {
      isShutDown = true;
      for (const { timer } of delayed.values()) clearTimeout(timer);
      delayed.clear();
      waiting.length = 0;
      dirty.clear();
      for (const wake of getters.splice(0)) wake(undefined);
    },
    get isShutDown() {
      return isShutDown;
    },
    get length() {
      return waiting.length;
    },
  };
}

import { jittered } from './jitter.ts';

export interface Backoff {
  /** The delay before the next attempt: doubles with every call, jittered, capped at the maximum. */
  next(): number;
  /** Back to the initial delay, after an attempt that went well. */
  reset(): void;
}

/** A jittered exponential backoff for reconnecting to the API server without hammering it. */
export function createBackoff(options: { initialMs: number; maxMs: number; random?: () => number }): Backoff {
  let attempts = 0;
  return {
    next() {
      const baseMs = Math.min(options.maxMs, options.initialMs * 2 ** attempts);
      attempts += 1;
      return Math.min(options.maxMs, jittered(baseMs, 0.2, options.random));
    },
    reset() {
      attempts = 0;
    },
  };
}

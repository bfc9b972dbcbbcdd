import type { Logger } from 'pino';
import { DatabaseUnavailable } from '../db/database-unavailable.ts';

export interface RetryingWriter<T> {
  /**
   * Writes `item` now. If the database is unavailable, the item is kept and written once it is
   * back; resolves once the item is written or kept. Rejects when the write failed for another
   * reason (a constraint), which retrying cannot mend.
   */
  write(item: T): Promise<void>;
  /** Resolves once every write begun so far has ended, and kept items had one more try. */
  settled(): Promise<void>;
  /** Items kept until the database is back. */
  pendingCount(): number;
  /**
   * On shutdown: tries kept items until none is left or `deadline` passed, then logs each item
   * still kept, in full, as lost (so an operator can enter it by hand). No retries after this.
   */
  drain(deadline: Date): Promise<void>;
}

export interface RetryingWriterOptions<T> {
  write: (item: T) => Promise<void>;
  /** What the log shows of an item: no secrets. */
  describe: (item: T) => Record<string, unknown>;
  log: Logger;
  /** Items kept at most; past it an item is logged as lost, so memory stays bounded in a long outage. */
  maxPending: number;
  firstDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Writes that must not be lost to a database outage (usage records of runs that were answered):
 * a write the database cannot take now is kept in memory, in order, and retried with backoff
 * (0.25 s doubling to 5 s) until it succeeds. The process dying loses what is kept, so the
 * outage, every retry and every loss is logged.
 */
export function createRetryingWriter<T>(options: RetryingWriterOptions<T>): RetryingWriter<T> {
  const { log, describe } = options;
  const firstDelayMs = options.firstDelayMs ?? 250;
  const maxDelayMs = options.maxDelayMs ?? 5_000;
  const pending: T[] = [];
  const inFlight = new Set<Promise<void>>();
  let delayMs = firstDelayMs;
  let timer: NodeJS.Timeout | undefined;
  let flushing: Promise<boolean> | undefined;
  let isDraining = false;

  function keep(item: T, err: DatabaseUnavailable): void {
    if (pending.length >= options.maxPending) {
      log.error(
        { record: describe(item), pending: pending.length },
        'usage record lost: too many wait for the database',
      );
      return;
    }
    pending.push(item);
    if (pending.length === 1) log.warn({ reason: err.reason }, 'usage records wait for the database');
    scheduleRetry();
  }

  function scheduleRetry(): void {
    if (timer || isDraining || pending.length === 0) return;
    timer = setTimeout(() => {
      timer = undefined;
      void flush().then(scheduleRetry);
    }, delayMs);
    // Never what keeps the process alive: shutdown drains explicitly.
    timer.unref();
  }

  /** Writes kept items in order; false when the database is still unavailable. */
  function flush(): Promise<boolean> {
    flushing ??= (async () => {
      let written = 0;
      for (let item = pending[0]; item !== undefined; item = pending[0]) {
        try {
          await options.write(item);
          written += 1;
        } catch (err) {
          if (err instanceof DatabaseUnavailable) {
            delayMs = Math.min(delayMs * 2, maxDelayMs);
            log.warn(
              { pending: pending.length, written, reason: err.reason, retryInMs: delayMs },
              'usage records still wait for the database',
            );
            return false;
          }
          log.error({ err, record: describe(item) }, 'usage record not recorded');
        }
        pending.shift();
      }
      delayMs = firstDelayMs;
      if (written > 0) log.info({ written }, 'usage records written after the database came back');
      return true;
    })().finally(() => {
      flushing = undefined;
    });
    return flushing;
  }

  async function firstAttempt(item: T): Promise<void> {
    try {
      await options.write(item);
    } catch (err) {
      if (!(err instanceof DatabaseUnavailable)) throw err;
      keep(item, err);
    }
  }

  return {
    write(item) {
      const attempt = firstAttempt(item);
      const tracked = attempt.catch(() => undefined).finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      return attempt;
    },

    async settled() {
      await Promise.all([...inFlight]);
      if (pending.length > 0) await flush();
    },

    pendingCount: () => pending.length,

    async drain(deadline) {
      isDraining = true;
      clearTimeout(timer);
      timer = undefined;
      await Promise.all([...inFlight]);
      while (pending.length > 0 && Date.now() < deadline.getTime()) {
        if (await flush()) break;
        await new Promise((resolve) => setTimeout(resolve, Math.min(delayMs, deadline.getTime() - Date.now())));
      }
      if (pending.length > 0) {
        log.error(
          { records: pending.map(describe) },
          'usage records lost: the database did not come back before shutdown',
        );
        pending.length = 0;
      }
    },
  };
}

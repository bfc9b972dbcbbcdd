import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Database } from '../../db/database.ts';
import { appendRunEvents, finishBackgroundRun, type StoredRunEvent } from '../../stores/background-run-events-store.ts';
import {
  type BackgroundRunStatus,
  markBackgroundRunRunning,
  type RunFailure,
} from '../../stores/background-runs-store.ts';
import { runEventsChannel } from './listen-for-run-notices.ts';

const retryDelayMs = 1_000;
// A database away this long loses the run anyway: its lease lapses and a sweep fails it.
const maxFinishAttempts = 60;

export interface RunOutcome {
  status: Extract<BackgroundRunStatus, 'succeeded' | 'failed' | 'cancelled'>;
  result: Record<string, unknown> | null;
  error: RunFailure | null;
  /** The final event: `done`, `error` or `cancelled`. */
  finalEvent: { type: string } & Record<string, unknown>;
}

/**
 * Writes one run's state and events in the order they happened. Events are numbered here (the
 * replica executing the run is their only writer) and those that arrive while a write is under way
 * share the next one, so a fast stream of tokens costs few statements. A failed write is retried
 * with the same numbers, so a reader never sees a gap or a repeat.
 */
export function createRunEventWriter(deps: { db: Database; runId: string; log: Logger }) {
  const { db, runId } = deps;
  let nextSeq = 1;
  let pending: StoredRunEvent[] = [];
  let chain: Promise<void> = Promise.resolve();
  let isFlushQueued = false;
  let isStopped = false;

  const then = (job: () => Promise<void>) => {
    chain = chain.then(job).catch((err: unknown) => deps.log.error({ err, run: runId }, 'run event not written'));
  };

  async function flush(): Promise<void> {
    isFlushQueued = false;
    while (pending.length > 0 && !isStopped) {
      const batch = pending.slice();
      try {
        await appendRunEvents(db, { runId, events: batch, channel: runEventsChannel });
        pending = pending.slice(batch.length);
      } catch (err) {
        deps.log.warn({ err, run: runId }, 'run events not written yet; retrying');
        await delay(retryDelayMs);
      }
    }
  }

  return {
    markRunning(): void {
      then(() => markBackgroundRunRunning(db, runId));
    },

    append(event: { type: string } & Record<string, unknown>): void {
      pending.push({ seq: nextSeq++, data: event });
      if (isFlushQueued) return;
      isFlushQueued = true;
      then(flush);
    },

    /** Writes the outcome with the events not written yet and the final one; resolves once written (or given up). */
    finish(outcome: RunOutcome): Promise<void> {
      then(async () => {
        const events = [...pending, { seq: nextSeq++, data: outcome.finalEvent }];
        pending = [];
        for (let attempt = 1; attempt <= maxFinishAttempts && !isStopped; attempt++) {
          try {
            await finishBackgroundRun(db, {
              runId,
              status: outcome.status,
              result: outcome.result,
              error: outcome.error,
              events,
              channel: runEventsChannel,
            });
            return;
          } catch (err) {
            deps.log.warn({ err, run: runId, attempt }, 'run outcome not written yet; retrying');
            await delay(retryDelayMs);
          }
        }
      });
      return chain;
    },

    /** Gives up on writes still retrying (the replica is stopping). */
    stop(): void {
      isStopped = true;
    },
  };
}
export type RunEventWriter = ReturnType<typeof createRunEventWriter>;

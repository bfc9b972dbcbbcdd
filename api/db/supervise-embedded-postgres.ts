import type { Logger } from 'pino';
import type { RunningPostgres } from './embedded-postgres.ts';

export type EmbeddedPostgresStatus =
  | { state: 'running'; restarts: number }
  | {
      state: 'restarting';
      /** When the server exited. */
      downSince: Date;
      /** Restart attempts so far that failed. */
      failedAttempts: number;
      lastError: string | undefined;
      /** False once so many restarts failed that the API should be restarted (or helped) instead. */
      isRecovering: boolean;
    };

export interface EmbeddedPostgresSupervisor {
  status(): EmbeddedPostgresStatus;
  /** No restart after this; a restart under way is ended by stopping the server. */
  stop(): void;
}

const defaults = { firstDelayMs: 500, maxDelayMs: 30_000, failuresBeforeUnrecovering: 5 };

/**
 * Keeps the API's own PostgreSQL running: when it exits unasked (a crash, an OOM kill, a kill -9),
 * it is started again on the same data folder and port, so the API's pool and the org runtimes'
 * memory URLs reach it again unchanged. Restarts back off (0.5 s doubling to 30 s) and never stop;
 * after 5 failures in a row the status says the API is not recovering by itself (/healthz 503).
 */
export function superviseEmbeddedPostgres(
  postgres: RunningPostgres,
  deps: { log: Logger; now?: () => Date; delays?: Partial<typeof defaults> },
): EmbeddedPostgresSupervisor {
  const log = deps.log.child({ component: 'embedded-postgres', port: postgres.port });
  const now = deps.now ?? (() => new Date());
  const { firstDelayMs, maxDelayMs, failuresBeforeUnrecovering } = { ...defaults, ...deps.delays };
  let status: EmbeddedPostgresStatus = { state: 'running', restarts: 0 };
  let restarts = 0;
  let delayMs = firstDelayMs;
  let timer: NodeJS.Timeout | undefined;
  let isStopped = false;

  postgres.onUnexpectedExit((exit) => {
    if (isStopped) return;
    status = { state: 'restarting', downSince: now(), failedAttempts: 0, lastError: undefined, isRecovering: true };
    delayMs = firstDelayMs;
    log.error(
      { code: exit.code, signal: exit.signal, restartInMs: delayMs },
      'embedded PostgreSQL exited; restarting it',
    );
    schedule();
  });

  function schedule(): void {
    timer = setTimeout(restart, delayMs);
  }

  async function restart(): Promise<void> {
    if (isStopped || status.state !== 'restarting') return;
    const { downSince, failedAttempts } = status;
    log.warn({ attempt: failedAttempts + 1 }, 'restarting embedded PostgreSQL');
    try {
      await postgres.restart();
      restarts += 1;
      status = { state: 'running', restarts };
      log.info(
        { attempt: failedAttempts + 1, downMs: now().getTime() - downSince.getTime() },
        'embedded PostgreSQL restarted',
      );
    } catch (err) {
      if (isStopped) return;
      const failures = failedAttempts + 1;
      delayMs = Math.min(delayMs * 2, maxDelayMs);
      const lastError = (err as Error).message.split('\n')[0];
      status = {
        state: 'restarting',
        downSince,
        failedAttempts: failures,
        lastError,
        isRecovering: failures < failuresBeforeUnrecovering,
      };
      log.error(
        { attempt: failures, err: lastError, output: postgres.recentOutput(), retryInMs: delayMs },
        'embedded PostgreSQL restart failed',
      );
      schedule();
    }
  }

  return {
    status: () => status,
    stop() {
      isStopped = true;
      clearTimeout(timer);
    },
  };
}

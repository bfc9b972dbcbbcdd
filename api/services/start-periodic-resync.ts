import type { Logger } from 'pino';

export interface PeriodicResync {
  /** No further runs; resolves once a run in progress has finished. */
  stop(): Promise<void>;
}

/**
 * Runs `resync` every `intervalMs`, never two at once: a run still going when the next is due
 * makes that one skip. Its errors are logged, never thrown: the next run tries again.
 */
export function startPeriodicResync(deps: {
  intervalMs: number;
  resync: () => Promise<unknown>;
  log: Logger;
}): PeriodicResync {
  const log = deps.log.child({ component: 'periodic-resync' });
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) {
      log.debug({}, 'resync skipped: the previous one is still running');
      return;
    }
    running = deps
      .resync()
      .then(
        () => undefined,
        (err: unknown) => log.error({ err }, 'resync failed'),
      )
      .finally(() => {
        running = undefined;
      });
  }, deps.intervalMs);
  // Resync alone must not keep the process alive.
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}

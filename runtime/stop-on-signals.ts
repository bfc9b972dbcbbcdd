import type { Logger } from 'pino';

/**
 * Graceful stop for a daemon (astromeshd, the Cloud API): on SIGTERM, SIGINT or the returned
 * trigger, `stop` runs once, then the process exits 0, or 1 if stopping failed.
 */
export function stopOnSignals(options: { log: Logger; stop: () => Promise<void> }): (reason: string) => void {
  let isStopping = false;
  const trigger = (reason: string) => {
    if (isStopping) return;
    isStopping = true;
    options.log.info({ signal: reason }, 'signal received');
    options.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        options.log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => trigger('SIGTERM'));
  process.once('SIGINT', () => trigger('SIGINT'));
  return trigger;
}

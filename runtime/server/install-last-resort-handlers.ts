import type { Logger } from 'pino';
import type { RequestGuard } from './create-request-guard.ts';

/**
 * The process-level half of the last-resort guard, for a daemon's main (astromeshd, the Cloud
 * API): an uncaught exception or unhandled rejection that belongs to a request (see
 * createRequestGuard) fails that request and the process keeps serving everyone else. One that
 * belongs to no request (startup, a timer of the server itself) keeps Node's own rule: it is
 * logged as fatal and the process exits 1, for its supervisor to restart it. Returns the uninstall.
 */
export function installLastResortHandlers(input: {
  log: Logger;
  guards: readonly RequestGuard[];
  exit?: (code: number) => void;
}): () => void {
  const exit = input.exit ?? ((code: number) => process.exit(code));
  const onError = (err: unknown, origin: string) => {
    if (input.guards.some((guard) => guard.failCurrent(err, origin))) return;
    input.log.fatal({ err, origin }, 'uncaught error outside any request; exiting');
    exit(1);
  };
  const onException = (err: Error) => onError(err, 'uncaughtException');
  const onRejection = (reason: unknown) => onError(reason, 'unhandledRejection');
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}

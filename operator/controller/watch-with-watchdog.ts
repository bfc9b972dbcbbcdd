import type { KubeGetRequest } from './kube-request.ts';
import { streamWatchEvents, type WatchEvent } from './stream-watch-events.ts';

/** How a watch ended, and whether it worked before it did (delivered something or lasted a while). */
export type WatchEnd = { isHealthy: boolean } & (
  | { by: 'server' }
  | { by: 'watchdog' }
  | { by: 'ended' }
  | { by: 'stop' }
  | { by: 'error'; error: unknown }
);

export interface GuardedWatch {
  /** Settles (never rejects) when the watch is over, saying why. */
  ended: Promise<WatchEnd>;
  /** Ends the watch from outside (e.g. for a relist); it then ends `by: 'ended'`. */
  end(): void;
}

// A watch that delivered nothing and ended within this time did not really work; back off.
const healthyWatchMs = 1_000;

/**
 * One watch guarded by a watchdog: if nothing, not even a bookmark, arrives for `silenceLimitMs`,
 * the watch is aborted and ends `by: 'watchdog'`. The server ends a watch after its
 * `timeoutSeconds`, so silence for longer means a dead connection TCP has not noticed (no RST,
 * no FIN: a vanished peer, a stuck proxy), which would otherwise stall the informer for ever.
 * `signal` is the owner's stop: the watch then ends `by: 'stop'`.
 */
export function startWatchWithWatchdog(
  request: KubeGetRequest & { signal: AbortSignal; silenceLimitMs: number; onEvent: (event: WatchEvent) => void },
): GuardedWatch {
  const { silenceLimitMs, onEvent, ...get } = request;
  const watch = new AbortController();
  let endedBy: 'watchdog' | 'ended' | undefined;
  const end = (reason: 'watchdog' | 'ended') => {
    endedBy ??= reason;
    watch.abort();
  };
  const watchdog = setTimeout(() => end('watchdog'), silenceLimitMs);
  const startedAt = performance.now();
  let events = 0;
  const isHealthy = () => events > 0 || performance.now() - startedAt >= healthyWatchMs;

  const ended = streamWatchEvents({
    ...get,
    signal: AbortSignal.any([request.signal, watch.signal]),
    onEvent: (event) => {
      watchdog.refresh();
      events += 1;
      onEvent(event);
    },
  }).then(
    (): WatchEnd => ({ by: 'server', isHealthy: isHealthy() }),
    (error: unknown): WatchEnd => {
      if (request.signal.aborted) return { by: 'stop', isHealthy: isHealthy() };
      if (endedBy) return { by: endedBy, isHealthy: isHealthy() };
      return { by: 'error', error, isHealthy: isHealthy() };
    },
  );
  return {
    ended: ended.finally(() => clearTimeout(watchdog)),
    end: () => end('ended'),
  };
}

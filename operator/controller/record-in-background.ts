export interface BackgroundRecorder<T> {
  /** Queues `input` and returns at once; drops it if `maxPending` inputs already wait. */
  record(input: T): Promise<void>;
  /** Inputs waiting, not counting those being recorded. */
  readonly pending: number;
  /** Drops what waits and resolves once the recordings in flight have finished. */
  stop(): Promise<void>;
}

/**
 * Runs a best-effort `record` (a Kubernetes Event) off the caller's path, as client-go's event
 * broadcaster does: a reconcile no longer waits a round trip per Event, and a flood of Events
 * waits in a bounded queue (client-go's is 1,000 deep) whose overflow is dropped, never kept.
 * `record` must not reject (the event recorder logs its own failures).
 */
export function recordInBackground<T>(
  record: (input: T) => Promise<void>,
  options: { maxPending?: number; concurrency?: number; onDropped?: (dropped: number) => void } = {},
): BackgroundRecorder<T> {
  const { maxPending = 1000, concurrency = 4, onDropped } = options;
  const waiting: T[] = [];
  const inFlight = new Set<Promise<void>>();
  let dropped = 0;
  let isStopped = false;

  const pump = (): void => {
    while (!isStopped && inFlight.size < concurrency && waiting.length > 0) {
      const running: Promise<void> = record(waiting.shift() as T)
        .catch(() => {})
        .finally(() => {
          inFlight.delete(running);
          pump();
        });
      inFlight.add(running);
    }
  };

  return {
    record(input) {
      if (isStopped) return Promise.resolve();
      if (waiting.length >= maxPending) {
        dropped += 1;
        onDropped?.(dropped);
        return Promise.resolve();
      }
      waiting.push(input);
      pump();
      return Promise.resolve();
    },
    get pending() {
      return waiting.length;
    },
    async stop() {
      isStopped = true;
      waiting.length = 0;
      await Promise.all(inFlight);
    },
  };
}

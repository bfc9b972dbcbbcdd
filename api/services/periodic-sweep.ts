/**
 * A job run every `intervalMs` once started, and whenever `sweep()` is called, one run at a time:
 * a call while a run is going joins it, so a slow run (a database under load) is never stacked
 * upon. A failed run goes to `onError` and the next one comes at its time. The timer alone does
 * not keep the process alive.
 */
export function createPeriodicSweep(deps: {
  intervalMs: number;
  run: () => Promise<void>;
  onError: (err: unknown) => void;
}) {
  let timer: NodeJS.Timeout | undefined;
  let sweeping: Promise<void> | undefined;

  const sweep = (): Promise<void> => {
    sweeping ??= deps
      .run()
      .catch(deps.onError)
      .finally(() => {
        sweeping = undefined;
      });
    return sweeping;
  };

  return {
    sweep,
    start(): void {
      timer ??= setInterval(() => void sweep(), deps.intervalMs);
      timer.unref();
    },
    /** Stops the timer and waits for a run under way. */
    async stop(): Promise<void> {
      clearInterval(timer);
      await sweeping;
    },
  };
}

/**
 * `work`, or the signal's reason once it aborts, whichever comes first. The work goes on (it may
 * be shared with other waiters); only this wait ends. A late rejection of `work` is handled, never
 * an unhandled rejection.
 */
export function raceSignal<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

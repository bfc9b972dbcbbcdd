/**
 * The signal a streaming model call runs under: it follows the caller's `signal`, and `end` also
 * cancels the HTTP request when the consumer stopped reading before the stream finished (the
 * generator's `finally`). After a normal finish there is nothing to cancel, and an abort would
 * only allocate an error.
 */
export function streamAttemptSignal(signal: AbortSignal): {
  signal: AbortSignal;
  end(input: { finished: boolean }): void;
} {
  const controller = new AbortController();
  const forwardAbort = () => controller.abort(signal.reason);
  signal.addEventListener('abort', forwardAbort, { once: true });
  return {
    signal: controller.signal,
    end({ finished }) {
      signal.removeEventListener('abort', forwardAbort);
      if (!finished) controller.abort();
    },
  };
}

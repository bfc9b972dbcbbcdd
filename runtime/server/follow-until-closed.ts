/**
 * Aborts `controller` when `shutdown` aborts, until the returned function is called (when the
 * request or the run is over). Not `AbortSignal.any([signal, shutdown])`: a composite signal with
 * a source that lives as long as the server (shutdown) is kept alive by Node for as long as any
 * abort listener stays on it, and the libraries a run passes its signal to (the HTTP client, the
 * AI SDK) do not all remove theirs; each run's signals, and what their listeners hold, piled up.
 */
export function followUntilClosed(controller: AbortController, shutdown: AbortSignal | undefined): () => void {
  if (!shutdown) return () => {};
  if (shutdown.aborted) {
    controller.abort(shutdown.reason);
    return () => {};
  }
  const onShutdown = () => controller.abort(shutdown.reason);
  shutdown.addEventListener('abort', onShutdown, { once: true });
  return () => shutdown.removeEventListener('abort', onShutdown);
}

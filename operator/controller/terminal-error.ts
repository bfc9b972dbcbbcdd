/**
 * A reconcile failure only a person can fix (an invalid spec, a missing reference the user
 * must create). Retrying with backoff cannot help, so the worker reports it and forgets the
 * key; the next change to the object enqueues it again (controller-runtime's TerminalError).
 */
export class TerminalError extends Error {
  override readonly name = 'TerminalError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Caller input refused while it is decoded (a body, a WebSocket message, a path, a query string),
 * before any handler sees it. The runtime and the Cloud API share the decoders, so the error is
 * neither's own family: both error envelopes write it as `{ error: code, message, status }`.
 */
export class InputRefused extends Error {
  override name = 'InputRefused';
  readonly code: string;
  readonly status: number;
  /** koa's convention: the message describes the caller's input and may be shown to it. */
  readonly expose = true;

  constructor(message: string, options: { status?: 400 | 413 | 415; code?: string } = {}) {
    super(message);
    this.status = options.status ?? 400;
    this.code = options.code ?? 'invalid_request';
  }
}

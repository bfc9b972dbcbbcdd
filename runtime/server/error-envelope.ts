import type { Middleware } from 'koa';
import type { Logger } from 'pino';
import { RuntimeError } from '../runtime-error.ts';

export interface ErrorBody {
  error: string;
  message: string;
  status: number;
  details?: unknown;
}

/** Turns anything a handler throws into the one error shape; unknown errors become an opaque 500. */
export function toErrorBody(err: unknown): ErrorBody {
  if (err instanceof RuntimeError) {
    return {
      error: err.code,
      message: err.message,
      status: err.status,
      ...(err.details ? { details: err.details } : {}),
    };
  }
  // Body parsing and routing errors from koa's middleware carry a 4xx status; their messages
  // describe the request (a JSON syntax error), never our internals.
  const status = (err as { status?: unknown } | undefined)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const code = status === 413 ? 'payload_too_large' : status === 415 ? 'unsupported_media_type' : 'invalid_request';
    const reason = (err as Error).message;
    return { error: code, message: status === 400 ? `invalid request body: ${reason}` : reason, status };
  }
  return { error: 'internal_error', message: 'Internal error', status: 500 };
}

export function errorEnvelope(log: Logger): Middleware {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        ctx.status = 404;
        ctx.body = { error: 'not_found', message: `no route for ${ctx.method} ${ctx.path}`, status: 404 };
      }
    } catch (err) {
      const body = toErrorBody(err);
      if (body.status >= 500 && body.error === 'internal_error') log.error({ err, path: ctx.path }, 'request failed');
      ctx.status = body.status;
      ctx.body = body;
    }
  };
}

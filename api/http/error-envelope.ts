import { randomUUID } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import { InputRefused } from '../../runtime/input/input-refused.ts';
import { routingRefusal } from '../../runtime/server/routing-refusal.ts';
import { AppError } from '../errors.ts';
import type { ErrorBody } from '../schemas/error-body.ts';

export type { ErrorBody } from '../schemas/error-body.ts';

const requestIdPattern = /^[A-Za-z0-9._-]{8,128}$/;

/** Gives every request an id (kept from a well-formed `X-Request-Id`), echoed in the response and logs. */
export function requestId(): Middleware {
  return async (ctx, next) => {
    const inbound = ctx.get('x-request-id');
    ctx.state.requestId = requestIdPattern.test(inbound) ? inbound : randomUUID();
    ctx.set('X-Request-Id', ctx.state.requestId);
    await next();
  };
}

/** Another shape for the envelope under some paths (the OpenAI-compatible routes): same status, same headers. */
export interface ErrorReshape {
  pathPattern: RegExp;
  reshape(body: ErrorBody, err: unknown): unknown;
}

/**
 * The one place errors become responses: `{ error, message, status }` on every non-2xx, unknown
 * routes and wrong methods included, or what a reshape makes of it under its paths. A 500 shows
 * only the request id; the log has the rest.
 */
export function errorEnvelope(log: Logger, reshapes: readonly ErrorReshape[] = []): Middleware {
  const shaped = (ctx: Context, body: ErrorBody, err: unknown): unknown =>
    reshapes.find((reshape) => reshape.pathPattern.test(ctx.path))?.reshape(body, err) ?? body;
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.body === undefined && ctx.status >= 400) {
        const body = routingRefusal(ctx);
        ctx.body = shaped(ctx, body, undefined);
        // koa turns a status it set itself (the 404 of no route) into 200 when a body is set.
        ctx.status = body.status;
      }
    } catch (err) {
      const body = toErrorBody(err, ctx.state.requestId as string | undefined);
      if (body.status >= 500) log.error({ err, requestId: ctx.state.requestId, path: ctx.path }, 'request failed');
      if (err instanceof AppError) ctx.set(err.headers);
      ctx.status = body.status;
      ctx.body = shaped(ctx, body, err);
    }
  };
}

export function toErrorBody(err: unknown, requestId?: string): ErrorBody {
  if (err instanceof AppError) return { error: err.code, message: err.message, status: err.status };
  // A body, message, path or query refused while it was decoded (runtime/input): the message names the field.
  if (err instanceof InputRefused) return { error: err.code, message: err.message, status: err.status };
  // Errors from koa's own middleware (body parser, router) carry a 4xx status and a safe message.
  const status = (err as { status?: unknown } | undefined)?.status;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    const codes: Record<number, string> = {
      405: 'method_not_allowed',
      413: 'payload_too_large',
      415: 'unsupported_media_type',
    };
    // JSON.parse quotes the text around a syntax error, which may be a secret (an api_key):
    // say where the body is broken, never what it holds.
    const reason =
      err instanceof SyntaxError
        ? `not valid JSON${err.message.match(/ at position \d+/)?.[0] ?? ''}`
        : (err as Error).message;
    const message = status === 400 ? `invalid request body: ${reason}` : reason;
    return { error: codes[status] ?? 'invalid_request', message, status };
  }
  return {
    error: 'internal_error',
    message: `Internal error; quote request id ${requestId ?? 'unknown'} when reporting it`,
    status: 500,
    ...(requestId ? { request_id: requestId } : {}),
  };
}

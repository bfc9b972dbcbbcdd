import { bodyParser } from '@koa/bodyparser';
import type { Context, Middleware } from 'koa';
import { InputRefused } from '../input/input-refused.ts';
import { parseJsonInput, refuseInputProblems } from '../input/parse-json-input.ts';

/**
 * JSON request bodies for the runtime and the Cloud API: koa's body parser (size limit,
 * Content-Encoding, charset) plus what it leaves to us. A body that does not inflate is a 400
 * (zlib's error has no status: it was a 500), an unknown Content-Encoding a 415, and every body is
 * refused with a 400 naming the field when it nests too deep, holds a NUL or a `__proto__` key.
 */
export function jsonBodyParser(options: { limit: string }): Middleware {
  const parse = bodyParser({
    enableTypes: ['json'],
    jsonLimit: options.limit,
    encoding: 'utf-8',
    onError: (err, ctx) => {
      throw refusalOf(err, ctx);
    },
  });
  return (ctx, next) =>
    parse(ctx, async () => {
      if (ctx.request.body !== undefined) refuseInputProblems(ctx.request.body, 'body');
      await next();
    });
}

function refusalOf(err: Error, ctx: Context): Error {
  const { status, body } = err as Error & { status?: unknown; body?: unknown };
  const encoding = ctx.get('content-encoding') || 'identity';
  if (status === undefined && encoding !== 'identity') {
    // Only the decompressor fails without an HTTP status (raw-body's own errors carry one).
    return new InputRefused(`body: not valid ${encoding} data (${err.message})`);
  }
  if (err instanceof SyntaxError && typeof body === 'string') {
    // The parser refuses a `__proto__` key as "not valid JSON"; parsing again names the key,
    // or where the text is broken.
    parseJsonInput(body, 'body');
    return new InputRefused('body: must be a JSON object or array');
  }
  return err;
}

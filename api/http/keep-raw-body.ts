import type { Middleware } from 'koa';
import { AppError } from '../errors.ts';

class BodyTooLarge extends AppError {
  constructor(limitBytes: number) {
    super('payload_too_large', 413, `body: larger than ${limitBytes} bytes`);
  }
}

/**
 * Keeps the exact bytes of a POST body on the paths given (`ctx.state.rawBody`, a Buffer) and
 * turns the JSON body parser off for them: a webhook's signature covers the body as sent, which
 * a parse and re-serialisation would not reproduce. Compressed bodies are refused (415): the
 * signature is over what the sender signed, not over what we would inflate.
 */
export function keepRawBody(options: { path: RegExp; limitBytes: number }): Middleware {
  return async (ctx, next) => {
    if (ctx.method !== 'POST' || !options.path.test(ctx.path)) return next();
    const encoding = (ctx.get('content-encoding') || 'identity').toLowerCase();
    if (encoding !== 'identity')
      throw new AppError('unsupported_media_type', 415, 'Content-Encoding: send the body uncompressed, as signed');
    const declaredLength = Number(ctx.get('content-length') || 0);
    if (declaredLength > options.limitBytes) throw new BodyTooLarge(options.limitBytes);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > options.limitBytes) throw new BodyTooLarge(options.limitBytes);
      chunks.push(chunk);
    }
    ctx.state.rawBody = Buffer.concat(chunks);
    // The JSON body parser leaves a body that is already set alone.
    ctx.request.body = {};
    return next();
  };
}

import type { Middleware } from 'koa';
import { decodePathSegment } from '../input/decode-path-segment.ts';
import { formatInputPath } from '../input/format-input-path.ts';

/**
 * A path or query string with a broken %-escape or a NUL is a 400 naming where, before routing:
 * the router would pass `%E0%A4%A` on undecoded and PostgreSQL answers a NUL with a 500. Koa's
 * query parser never throws, so each raw `key=value` is checked here.
 */
export function refuseMalformedUrl(): Middleware {
  return async (ctx, next) => {
    for (const segment of ctx.path.split('/')) decodePathSegment(segment, 'path');
    if (ctx.querystring) {
      for (const pair of ctx.querystring.split('&')) {
        const [rawKey = '', ...rawValue] = pair.split('=');
        const key = decodePathSegment(rawKey.replaceAll('+', ' '), 'query');
        decodePathSegment(rawValue.join('=').replaceAll('+', ' '), formatInputPath(['query', key], 'query'));
      }
    }
    await next();
  };
}

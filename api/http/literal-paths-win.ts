import type Router from '@koa/router';
import type { Middleware } from 'koa';

/**
 * Where a literal route and a parameter route both match a path (`GET /orgs/me` and
 * `PATCH /orgs/{slug}` on `/orgs/me`), the literal one wins: `me` names the caller's org and is
 * never a slug. Without this, `PATCH /orgs/me` would be handled as the org `me` and `Allow` would
 * list PATCH for `/orgs/me`, which the OpenAPI document rightly does not. Other methods on such a
 * path answer 405 with the literal route's methods in Allow (OPTIONS: 200 with them).
 */
export function literalPathsWin(router: Router): Middleware {
  return async (ctx, next) => {
    const layers = router.match(ctx.path, ctx.method).path;
    const literal = layers.filter((layer) => layer.paramNames.length === 0);
    if (literal.length === 0 || literal.length === layers.length) return next();
    const allowed = [...new Set(literal.flatMap((layer) => layer.methods))];
    if (allowed.includes(ctx.method)) return next();
    ctx.set('Allow', allowed.join(', '));
    if (ctx.method === 'OPTIONS') {
      ctx.status = 200;
      ctx.body = '';
    } else {
      ctx.status = 405;
    }
  };
}

import type Router from '@koa/router';
import type { Middleware } from 'koa';

/**
 * Where routes of more and fewer parameters both match a path (`GET /orgs/me` and
 * `PATCH /orgs/{slug}` on `/orgs/me`; `POST /orgs/{slug}/agents/compile` and
 * `GET /orgs/{slug}/agents/{name}` on `…/agents/compile`), the one with more literal segments
 * wins: `me` names the caller's org and is never a slug, `compile` is never an agent (AgentName
 * refuses it). Without this, `PATCH /orgs/me` would be handled as the org `me` and `Allow` would
 * list PATCH for `/orgs/me`, which the OpenAPI document rightly does not. Other methods on such a
 * path answer 405 with the winning routes' methods in Allow (OPTIONS: 200 with them).
 */
export function literalPathsWin(router: Router): Middleware {
  return async (ctx, next) => {
    const layers = router.match(ctx.path, ctx.method).path;
    const fewestParams = Math.min(...layers.map((layer) => layer.paramNames.length));
    const literal = layers.filter((layer) => layer.paramNames.length === fewestParams);
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

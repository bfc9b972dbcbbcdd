import type { Context } from 'koa';

/**
 * The router answers an unknown route (404), a known route's wrong method (405, with Allow) and a
 * method it does not know at all (501: TRACE, PROPFIND) with a status and no body. The last is the
 * caller's mistake too: a 405 with the path's methods in Allow, or a 404 when no route has the path.
 * Sets the corrected status on `ctx` and returns the envelope to send (the Cloud API's and the
 * runtime's error envelopes both use it).
 */
export function routingRefusal(ctx: Context): { error: string; message: string; status: number } {
  const allowed = ctx.response.get('Allow');
  if (ctx.status === 501) ctx.status = allowed ? 405 : 404;
  const status = ctx.status;
  if (status === 405) {
    return {
      error: 'method_not_allowed',
      message: `${ctx.method} is not allowed on ${ctx.path}; allowed: ${allowed}`,
      status,
    };
  }
  const message = `no route for ${ctx.method} ${ctx.path}`;
  return { error: status === 404 ? 'not_found' : 'invalid_request', message, status };
}

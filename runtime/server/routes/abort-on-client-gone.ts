import type { Context } from 'koa';
import { ClientGone } from '../../runtime-error.ts';
import { followUntilClosed } from '../follow-until-closed.ts';

/**
 * A signal for the work of one request: it fires if the client disconnects before the response
 * is written, or when the server's shutdown deadline passes (`ctx.state.shutdown`).
 */
export function abortOnClientGone(ctx: Context): AbortSignal {
  const controller = new AbortController();
  const unfollow = followUntilClosed(controller, ctx.state.shutdown as AbortSignal | undefined);
  ctx.res.once('close', () => {
    unfollow();
    if (!ctx.res.writableFinished) controller.abort(new ClientGone());
  });
  return controller.signal;
}

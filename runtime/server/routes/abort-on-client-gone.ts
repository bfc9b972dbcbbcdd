import type { Context } from 'koa';
import { ClientGone } from '../../runtime-error.ts';

/**
 * A signal for the work of one request: it fires if the client disconnects before the response
 * is written, or when the server's shutdown deadline passes (`ctx.state.shutdown`).
 */
export function abortOnClientGone(ctx: Context): AbortSignal {
  const controller = new AbortController();
  ctx.res.once('close', () => {
    if (!ctx.res.writableFinished) controller.abort(new ClientGone());
  });
  const shutdown = ctx.state.shutdown as AbortSignal | undefined;
  return shutdown ? AbortSignal.any([controller.signal, shutdown]) : controller.signal;
}

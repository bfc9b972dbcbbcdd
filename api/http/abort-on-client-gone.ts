import type { Context } from 'koa';

/** Fires when the client disconnects before its answer is written: the runtime's run is cancelled. */
export function abortOnClientGone(ctx: Context): AbortSignal {
  const controller = new AbortController();
  ctx.res.once('close', () => {
    if (!ctx.res.writableFinished) controller.abort();
  });
  return controller.signal;
}

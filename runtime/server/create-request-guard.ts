import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';

/** One request, or one WebSocket, that an error can be pinned on. */
export interface GuardedScope {
  /** The request (or stream) id the log line carries. */
  requestId: string;
  /** Tells that caller, and only that caller, that its request failed, if it still can. */
  fail(err: unknown): void;
}

/**
 * The last-resort guard: a bug in one request's handler fails that request, never the process.
 * Errors a handler throws or awaits reach the error envelope as always; this catches the rest.
 * Each request and each WebSocket runs in a scope (AsyncLocalStorage), which everything it starts
 * inherits: timers, immediates, promises, including ones nobody awaits. When such a callback
 * throws, or such a promise rejects unhandled, the process-level handler (installLastResortHandlers)
 * asks `failCurrent`, which finds the scope and fails that caller alone.
 *
 * Verified on Node 24 (AsyncContextFrame): the store is visible in 'uncaughtException' for a throw
 * in a timer, an immediate, a microtask or nextTick, and in 'unhandledRejection' for a rejection.
 * It is NOT visible for a throw that unwinds through `run()` (an EventEmitter listener bound to the
 * scope): the frame is restored before the handler runs. So listeners are wrapped by `listener()`,
 * which catches what they throw itself.
 */
export function createRequestGuard(deps: { log: Logger }) {
  const log = deps.log.child({ component: 'request-guard' });
  const scopes = new AsyncLocalStorage<GuardedScope>();

  const failScope = (scope: GuardedScope, err: unknown, origin: string) => {
    log.error({ err, requestId: scope.requestId, origin }, 'request failed outside its handler');
    try {
      scope.fail(err);
    } catch (failure) {
      log.error({ err: failure, requestId: scope.requestId }, 'could not tell the caller its request failed');
    }
  };

  return {
    /** Runs `work` in `scope`: what it starts, and fails later, fails the scope. */
    run<T>(scope: GuardedScope, work: () => T): T {
      return scopes.run(scope, work);
    },

    /**
     * An event listener (a WebSocket message handler) run in `scope`: a throw, or a rejection of
     * the promise it returns, fails that scope alone.
     */
    listener<Args extends unknown[]>(
      scope: GuardedScope,
      listener: (...args: Args) => unknown,
    ): (...args: Args) => void {
      return (...args) => {
        try {
          const result = scopes.run(scope, () => listener(...args));
          if (result instanceof Promise) result.catch((err: unknown) => failScope(scope, err, 'listener'));
        } catch (err) {
          failScope(scope, err, 'listener');
        }
      };
    },

    /**
     * Koa middleware that opens each request's scope; `toBody` writes the error envelope of the
     * 500 its caller gets. The request id is `ctx.state.requestId` (the Cloud API's requestId
     * middleware), or a new one sent back in X-Request-Id (the runtime has no other).
     */
    middleware(toBody: (err: unknown, requestId: string) => object): Middleware {
      return (ctx, next) => {
        let requestId = ctx.state.requestId as string | undefined;
        if (!requestId) {
          requestId = randomUUID();
          ctx.state.requestId = requestId;
          ctx.set('X-Request-Id', requestId);
        }
        const id = requestId;
        return scopes.run({ requestId: id, fail: (err) => failHttpRequest(ctx, toBody(err, id), id) }, next);
      };
    },

    /** Fails the scope the current async context belongs to; false when it belongs to none. */
    failCurrent(err: unknown, origin: string): boolean {
      const scope = scopes.getStore();
      if (!scope) return false;
      failScope(scope, err, origin);
      return true;
    },
  };
}
export type RequestGuard = ReturnType<typeof createRequestGuard>;

function failHttpRequest(ctx: Context, body: object, requestId: string): void {
  const res = ctx.res;
  if (res.writableEnded) return; // answered already: the log line is all that is left to do
  if (res.headersSent) {
    // Part of a response is out; cutting the connection is the only way left to say it failed.
    res.destroy();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(500, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-request-id': requestId,
  });
  res.end(text);
}

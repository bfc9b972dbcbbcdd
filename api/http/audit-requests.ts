import { finished, Readable } from 'node:stream';
import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import type { Logger } from 'pino';
import type { AuditService } from '../services/audit-service.ts';
import { RefreshTokenReused, RevokedApiKeyUsed } from '../services/auth-event-errors.ts';
import type { TokenService } from '../services/token-service.ts';
import type { AuditActor, AuditEntryInput, AuditSummaryValue } from '../stores/audit-log-store.ts';
import type { ApiRoute } from './api-route.ts';
import { type AuditedCall, auditActions, defaultTargetOf } from './audit-actions.ts';
import { toErrorBody } from './error-envelope.ts';
import type { Principal } from './principal.ts';

const mutatingMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * What a handler may add to its request's audit entry (`noteAudit`): an action or actor the
 * middleware cannot see, e.g. a sign-in finishing on a GET callback. A noted request is
 * recorded whatever its method.
 */
export interface AuditNote {
  action?: string;
  actor?: AuditActor;
  org?: AuditEntryInput['org'];
  target?: string;
  summary?: Record<string, AuditSummaryValue>;
}

/** Adds to the audit entry of this request (merged over what the middleware works out itself). */
export function noteAudit(ctx: Context, note: AuditNote): void {
  ctx.state.auditNote = { ...(ctx.state.auditNote as AuditNote | undefined), ...note };
}

/**
 * One audit entry per state-changing call: every POST, PUT, PATCH and DELETE that matches a route
 * of the registry, whatever its outcome (a refused call is recorded with its 4xx, a failed one
 * with its 5xx), plus any request carrying an auth event (a revoked API key's use, a noted
 * sign-in). It sits inside the error envelope and before authentication and body parsing, so it
 * sees the error of a call refused at any of them; the route is matched here, from the same
 * router, because a call refused before routing has none yet.
 *
 * The entry is written after the call has its answer and without delaying it
 * (AuditService.record): a failed write is logged, never answered as an error.
 */
export function auditRequests(deps: {
  audit: Pick<AuditService, 'record'>;
  router: Router;
  routes: readonly ApiRoute[];
  prefix: string;
  tokens: TokenService;
  log: Logger;
}): Middleware {
  const routeOf = new Map(
    deps.routes.map((route) => [
      `${route.method.toUpperCase()} ${deps.prefix}${route.path.replace(/\{([a-z_]+)\}/g, ':$1')}`,
      route,
    ]),
  );

  function matchRoute(ctx: Context): { route: ApiRoute; params: Record<string, string> } | undefined {
    const match = deps.router.match(ctx.path, ctx.method);
    // literalPathsWin: where a literal path matches, a parameter route on it is never reached.
    const hasLiteral = match.path.some((layer) => layer.paramNames.length === 0);
    for (const layer of match.pathAndMethod) {
      if (hasLiteral && layer.paramNames.length > 0) continue;
      const route = routeOf.get(`${ctx.method} ${layer.path}`);
      if (!route) continue;
      let params: Record<string, string>;
      try {
        params = layer.params(ctx.path, layer.captures(ctx.path)) as Record<string, string>;
      } catch {
        params = {};
      }
      return { route, params };
    }
    return undefined;
  }

  return async (ctx, next) => {
    // Matched before the call (a handler may change ctx.path); other methods only if they need an entry.
    const matchedFirst = mutatingMethods.has(ctx.method) ? matchRoute(ctx) : undefined;
    let failure: unknown;
    try {
      await next();
    } catch (err) {
      failure = err;
      throw err;
    } finally {
      const note = ctx.state.auditNote as AuditNote | undefined;
      const isAuthEvent = failure instanceof RefreshTokenReused || failure instanceof RevokedApiKeyUsed;
      if (matchedFirst || note || isAuthEvent) {
        const record = () => {
          // Never the call's error: a summarizer that trips loses the entry (logged), not the answer.
          try {
            const matched = matchedFirst ?? matchRoute(ctx);
            const finalNote = ctx.state.auditNote as AuditNote | undefined;
            deps.audit.record(
              entryOf(ctx, { matched, failure, note: finalNote, prefix: deps.prefix, tokens: deps.tokens }),
            );
          } catch (err) {
            deps.log.error(
              { err, requestId: ctx.state.requestId, method: ctx.method },
              'audit entry lost: it could not be made',
            );
          }
        };
        // A streamed answer (server-sent events) is recorded when it ends, with what its handler
        // noted meanwhile: a stream that fails after its 200 says so in the entry's summary.
        if (failure === undefined && ctx.body instanceof Readable) finished(ctx.body, () => record());
        else record();
      }
    }
  };
}

function entryOf(
  ctx: Context,
  input: {
    matched: { route: ApiRoute; params: Record<string, string> } | undefined;
    failure: unknown;
    note: AuditNote | undefined;
    prefix: string;
    tokens: TokenService;
  },
): AuditEntryInput {
  const { matched, failure, note } = input;
  const status = failure === undefined ? ctx.status : toErrorBody(failure).status;
  const route = matched?.route;
  const params = matched?.params ?? {};
  const described = route ? auditActions[`${route.method.toUpperCase()} ${route.path}`] : undefined;
  const call: AuditedCall = {
    params,
    body: route?.body?.safeParse(ctx.request.body ?? {}).data,
    answer: failure === undefined ? ctx.body : undefined,
  };
  const who = whoOf(ctx, { failure, answer: call.answer, tokens: input.tokens, params });
  const fallbackAction = route ? `${route.method} ${route.path}` : `${ctx.method.toLowerCase()} unmatched`;
  return {
    org: note?.org ?? who.org,
    actor: note?.actor ?? who.actor,
    action: note?.action ?? who.action ?? described?.action ?? fallbackAction,
    method: ctx.method,
    route: route ? `${input.prefix}${route.path}` : undefined,
    target: note?.target ?? (described?.target ? described.target(call) : defaultTargetOf(params)) ?? null,
    summary: { ...(described?.summary?.(call) ?? {}), ...note?.summary },
    status,
    requestId: ctx.state.requestId as string | undefined,
    // koa's ctx.ip: the peer's address, or X-Forwarded-For's first only where app.proxy is set
    // (the API sets no trust-proxy option, so behind an ingress this is the ingress's address).
    sourceIp: ctx.ip,
  };
}

/** Who called and for which org, from the auth event, the principal, or the tokens a sign-in issued. */
function whoOf(
  ctx: Context,
  input: { failure: unknown; answer: unknown; tokens: TokenService; params: Record<string, string> },
): { actor: AuditActor; org?: AuditEntryInput['org']; action?: string } {
  const { failure } = input;
  if (failure instanceof RevokedApiKeyUsed) {
    return {
      actor: { kind: 'api_key', id: failure.keyId },
      org: { id: failure.orgId },
      action: 'auth.revoked_api_key_used',
    };
  }
  if (failure instanceof RefreshTokenReused) {
    return {
      actor: { kind: 'user', id: failure.userId },
      org: { id: failure.orgId },
      action: 'auth.refresh_reuse_detected',
    };
  }
  // The org of the path first: a call into an org is that org's to see, whoever made it.
  const pathOrg = input.params.slug ? { slug: input.params.slug } : undefined;
  const principal = ctx.state.principal as Principal | undefined;
  if (principal?.kind === 'api_key') {
    return { actor: { kind: 'api_key', id: principal.keyId }, org: pathOrg ?? { id: principal.orgId } };
  }
  if (principal?.kind === 'user') {
    return { actor: { kind: 'user', id: principal.userId }, org: pathOrg ?? { slug: principal.loginOrgSlug } };
  }
  // A sign-in or refresh that succeeded: its caller is the user of the access token it issued.
  const issued = accessTokenOf(input.answer);
  const claims = issued ? input.tokens.verifyAccessToken(issued) : undefined;
  if (claims) return { actor: { kind: 'user', id: claims.sub }, org: pathOrg ?? { slug: claims.org } };
  return { actor: { kind: 'anonymous' }, org: pathOrg };
}

function accessTokenOf(answer: unknown): string | undefined {
  const token =
    typeof answer === 'object' && answer !== null ? (answer as { access_token?: unknown }).access_token : undefined;
  return typeof token === 'string' ? token : undefined;
}

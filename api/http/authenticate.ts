import type { Context, Middleware } from 'koa';
import koaJwt from 'koa-jwt';
import type { Database } from '../db/database.ts';
import { Unauthenticated } from '../errors.ts';
import { RevokedApiKeyUsed } from '../services/auth-event-errors.ts';
import { type AccessClaims, hashSecret, type TokenService } from '../services/token-service.ts';
import { findApiKeyByHash, findRevokedApiKey, touchApiKey } from '../stores/api-keys-store.ts';
import { findSession } from '../stores/sessions-store.ts';
import type { Principal } from './principal.ts';

/**
 * Works out who is calling, from `X-API-Key: ask-…`, `Authorization: Bearer ask-…` (how the
 * `openai` clients send their key, on every route) or `Authorization: Bearer <jwt>`, and puts the
 * principal in `ctx.state.principal`. Routes decide whether one is required; a credential that is
 * present but invalid is always a 401, never a silent anonymous request.
 */
export function authenticate(deps: { db: Database; tokens: TokenService; now: () => Date }): Middleware[] {
  const jwt = koaJwt({
    ...deps.tokens.verifyOptions(),
    key: 'jwtClaims',
    passthrough: true,
    // Whether the session is still alive (logout and refresh-token reuse revoke it at once) is
    // checked by the route, in the same query as the caller's role: see resolveOrgAccess.
  });
  const principalOf: Middleware = async (ctx, next) => {
    const apiKey = ctx.get('x-api-key') || bearerApiKeyOf(ctx.get('authorization'));
    if (apiKey) {
      ctx.state.principal = await principalOfApiKey(deps.db, apiKey);
    } else if (ctx.get('authorization')) {
      const claims = ctx.state.jwtClaims as AccessClaims | undefined;
      if (!claims) throw new Unauthenticated('the bearer token is invalid, expired or revoked');
      ctx.state.principal = userPrincipal(claims);
    }
    await next();
  };
  return [jwt, principalOf];
}

/** The API key a bearer credential holds (`Bearer ask-…`); a JWT never starts with `ask-`. */
function bearerApiKeyOf(authorization: string): string | undefined {
  const match = /^Bearer\s+(ask-\S+)\s*$/i.exec(authorization);
  return match?.[1];
}

export async function principalOfApiKey(db: Database, secret: string): Promise<Principal> {
  const secretHash = secret.startsWith('ask-') ? hashSecret(secret) : undefined;
  const key = secretHash ? await findApiKeyByHash(db, secretHash) : undefined;
  if (!key) {
    // A revoked key's use is an auth event of the audit log; it answers the same 401 as any other.
    const revoked = secretHash ? await findRevokedApiKey(db, secretHash) : undefined;
    if (revoked) throw new RevokedApiKeyUsed(revoked);
    throw new Unauthenticated('the API key is invalid or revoked');
  }
  void touchApiKey(db, key.id).catch(() => undefined);
  return { kind: 'api_key', keyId: key.id, orgId: key.orgId, orgSlug: key.orgSlug, role: key.role };
}

/** For credentials that do not come through koa (the WebSocket's `?token=`). */
export async function principalOfToken(
  deps: { db: Database; tokens: TokenService; now: () => Date },
  token: string,
): Promise<Principal> {
  if (token.startsWith('ask-')) return principalOfApiKey(deps.db, token);
  const claims = deps.tokens.verifyAccessToken(token);
  if (!claims || !(await isSessionActive(deps, claims)))
    throw new Unauthenticated('the token is invalid, expired or revoked');
  return userPrincipal(claims);
}

function userPrincipal(claims: AccessClaims): Principal {
  return { kind: 'user', userId: claims.sub, sessionId: claims.sid, email: claims.email, loginOrgSlug: claims.org };
}

async function isSessionActive(deps: { db: Database; now: () => Date }, claims: AccessClaims): Promise<boolean> {
  const session = await findSession(deps.db, claims.sid);
  return (
    session !== undefined &&
    session.revokedAt === null &&
    session.expiresAt > deps.now() &&
    session.userId === claims.sub
  );
}

export function requirePrincipal(ctx: Context): Principal {
  const principal = ctx.state.principal as Principal | undefined;
  if (!principal) throw new Unauthenticated();
  return principal;
}

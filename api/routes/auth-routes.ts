import type { Context } from 'koa';
import { z } from 'zod';
import { Unauthenticated } from '../errors.ts';
import { authenticatedRoute, publicRoute } from '../http/api-route.ts';
import { clearRefreshCookie, refreshCookieOf, setRefreshCookie, wantsCookieSession } from '../http/refresh-cookie.ts';
import { refreshCookieName, refreshCookiePath, sessionModeHeader } from '../schemas/session-cookie.ts';
import { TokenResponse } from '../schemas/token-response.ts';
import type { AuthService, TokenPair } from '../services/auth-service.ts';

const cookieSessionNote =
  `Browser session (Studio): send the header \`${sessionModeHeader}: cookie\` and the refresh token comes as an ` +
  `HttpOnly, SameSite=Strict cookie \`${refreshCookieName}\` (Path=${refreshCookiePath}, Secure over https) ` +
  'instead of in this body, so no script can read it. Without the header the body carries it as before.';

export function authRoutes(auth: AuthService, session: { refreshTtlSeconds: number }) {
  /** The token pair as answered: the refresh token moved into the cookie when the caller asked. */
  function answer(ctx: Context, pair: TokenPair): Omit<TokenPair, 'refresh_token'> & { refresh_token?: string } {
    if (!wantsCookieSession(ctx)) return pair;
    setRefreshCookie(ctx, pair.refresh_token, session.refreshTtlSeconds);
    const { refresh_token: _inTheCookie, ...rest } = pair;
    return rest;
  }

  return [
    publicRoute({
      method: 'post',
      path: '/auth/dev/login',
      summary: 'Create or retrieve a user and their org and sign in (development only)',
      tag: 'Auth',
      body: z.object({
        email: z.email().max(254),
        name: z.string().max(200).default(''),
      }),
      response: TokenResponse,
      errors: [403],
      description: cookieSessionNote,
      handle: async ({ body, ctx }) => answer(ctx, await auth.devLogin(body)),
    }),
    publicRoute({
      method: 'post',
      path: '/auth/refresh',
      summary: 'Trade a refresh token for a new token pair; reusing one revokes the whole session',
      tag: 'Auth',
      body: z.object({
        refresh_token: z
          .string()
          .min(1)
          .max(200)
          .optional()
          .describe(`Required unless the request sends \`${sessionModeHeader}: cookie\` and the session cookie.`),
      }),
      response: TokenResponse,
      errors: [401],
      description:
        `${cookieSessionNote} A refresh without a body token uses the cookie, and only with that header: ` +
        'a cross-site form cannot send it (CSRF defence beside SameSite). A refused refresh clears the cookie.',
      handle: async ({ body, ctx }) => {
        const token = body.refresh_token ?? cookieTokenOf(ctx);
        try {
          return answer(ctx, await auth.refresh(token));
        } catch (err) {
          if (wantsCookieSession(ctx)) clearRefreshCookie(ctx);
          throw err;
        }
      },
    }),
    authenticatedRoute({
      method: 'post',
      path: '/auth/logout',
      summary: 'Revoke the current session at once (its access and refresh tokens stop working)',
      tag: 'Auth',
      status: 204,
      // An API key has no session: it is revoked through DELETE /orgs/{slug}/keys/{key_id}.
      errors: [403],
      description: `Also clears the browser session cookie \`${refreshCookieName}\`.`,
      handle: async ({ principal, ctx }) => {
        await auth.logout(principal);
        clearRefreshCookie(ctx);
      },
    }),
    publicRoute({
      method: 'post',
      path: '/auth/google',
      summary: 'Exchange a Google ID token (not implemented yet: 501)',
      tag: 'Auth',
      errors: [501],
      handle: async () => auth.oauth('google'),
    }),
    publicRoute({
      method: 'post',
      path: '/auth/github',
      summary: 'Exchange a GitHub OAuth code (not implemented yet: 501)',
      tag: 'Auth',
      errors: [501],
      handle: async () => auth.oauth('github'),
    }),
  ];
}

/** The refresh token of the session cookie, for a refresh whose body carries none. */
function cookieTokenOf(ctx: Context): string {
  // No token in the body and no browser session asked for: a request without credentials, so 401
  // (the body itself is valid: refresh_token is optional because the cookie may stand in for it).
  if (!wantsCookieSession(ctx)) {
    throw new Unauthenticated(
      `refresh_token: required (a browser session sends the header ${sessionModeHeader}: cookie instead, with its cookie)`,
    );
  }
  const token = refreshCookieOf(ctx);
  // Not a malformed request: a browser with no session (never signed in, or signed out) sends none.
  if (!token) throw new Unauthenticated(`no session: the ${refreshCookieName} cookie was not sent; sign in`);
  return token;
}

import type { Context } from 'koa';
import { z } from 'zod';
import { InvalidInput, Unauthenticated } from '../errors.ts';
import { authenticatedRoute, publicRoute } from '../http/api-route.ts';
import { clearRefreshCookie, refreshCookieOf, setRefreshCookie, wantsCookieSession } from '../http/refresh-cookie.ts';
import { setSignInCookie } from '../http/sign-in-cookie.ts';
import { refreshCookieName, refreshCookiePath, sessionModeHeader } from '../schemas/session-cookie.ts';
import { ProviderSignInBody, StartedSignIn } from '../schemas/sign-in.ts';
import { TokenResponse } from '../schemas/token-response.ts';
import type { AuthService, TokenPair } from '../services/auth-service.ts';
import { type SignInService, signInAttemptTtlSeconds } from '../services/sign-in/sign-in-service.ts';
import { finishFromBrowser } from './sign-in-routes.ts';

const cookieSessionNote =
  `Browser session (Studio): send the header \`${sessionModeHeader}: cookie\` and the refresh token comes as an ` +
  `HttpOnly, SameSite=Strict cookie \`${refreshCookieName}\` (Path=${refreshCookiePath}, Secure over https) ` +
  'instead of in this body, so no script can read it. Without the header the body carries it as before.';

export function authRoutes(auth: AuthService, session: { refreshTtlSeconds: number; signIn: SignInService }) {
  /** The token pair as answered: the refresh token moved into the cookie when the caller asked. */
  function answer(ctx: Context, pair: TokenPair): Omit<TokenPair, 'refresh_token'> & { refresh_token?: string } {
    if (!wantsCookieSession(ctx)) return pair;
    setRefreshCookie(ctx, pair.refresh_token, session.refreshTtlSeconds);
    const { refresh_token: _inTheCookie, ...rest } = pair;
    return rest;
  }

  /**
   * Seed 003's POST /auth/google and /auth/github (501 until configured): for a client that
   * drives the redirect itself. Without a code it starts, like GET /auth/{provider}/start; with the
   * callback's code and state it finishes, answering tokens as dev login does.
   */
  function providerSignInRoute(path: 'google' | 'github', provider: 'oidc' | 'github', what: string) {
    return publicRoute({
      method: 'post',
      path: `/auth/${path}`,
      summary: `Sign in with ${what}: start (no code) or finish (code and state); 501 when not configured`,
      tag: 'Auth',
      body: ProviderSignInBody,
      response: z.union([TokenResponse, StartedSignIn]),
      errors: [401, 403, 501],
      description:
        'Without `code`: answers `authorization_url` and `state`, and sets the HttpOnly cookie that ties the ' +
        'sign-in to this client. With the code and state of the provider’s redirect to ' +
        `GET /auth/${provider}/callback (and that cookie): answers the token pair, as dev login does. ` +
        `A browser uses GET /auth/${provider}/start instead. ${cookieSessionNote}`,
      handle: async ({ body, ctx }) => {
        if (isRecord(ctx.request.body) && 'id_token' in ctx.request.body) {
          throw new InvalidInput(
            'id_token: not accepted; sign in through the code flow (POST without a body starts it)',
          );
        }
        if (body.code === undefined) {
          const started = await session.signIn.start(provider, { returnTo: body.return_to });
          setSignInCookie(ctx, started.browserBinding, signInAttemptTtlSeconds);
          return { authorization_url: started.authorizationUrl.href, state: started.state };
        }
        const callbackParams = new URLSearchParams({ code: body.code });
        if (body.state) callbackParams.set('state', body.state);
        if (body.iss) callbackParams.set('iss', body.iss);
        const { tokens } = await finishFromBrowser(ctx, session.signIn, provider, callbackParams);
        return answer(ctx, tokens);
      },
    });
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
    providerSignInRoute('google', 'oidc', 'an OpenID Connect issuer (Google, Keycloak, Dex, Entra…)'),
    providerSignInRoute('github', 'github', 'GitHub'),
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

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;

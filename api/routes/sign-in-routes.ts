import type { Context } from 'koa';
import { z } from 'zod';
import { AppError } from '../errors.ts';
import { publicRoute } from '../http/api-route.ts';
import { noteAudit } from '../http/audit-requests.ts';
import { setRefreshCookie } from '../http/refresh-cookie.ts';
import { clearSignInCookie, setSignInCookie, signInCookieOf } from '../http/sign-in-cookie.ts';
import { ReturnTo, SignInProviderId, SignInProviders } from '../schemas/sign-in.ts';
import { type SignInService, signInAttemptTtlSeconds } from '../services/sign-in/sign-in-service.ts';

const provider = z.object({ provider: SignInProviderId });

/**
 * The browser side of sign-in through an identity provider (README, "Signing in"): the start
 * redirects to the provider, its callback signs in and lands on the Studio with the session in
 * its cookie, exactly as the Studio's dev login keeps it.
 */
export function signInRoutes(signIn: SignInService, session: { refreshTtlSeconds: number; devLoginEnabled: boolean }) {
  return [
    publicRoute({
      method: 'get',
      path: '/auth/providers',
      summary: 'The sign-in providers configured here (for the Studio’s sign-in page)',
      tag: 'Auth',
      response: SignInProviders,
      handle: async () => ({ providers: signIn.providers(), dev_login: session.devLoginEnabled }),
    }),
    publicRoute({
      method: 'get',
      path: '/auth/{provider}/start',
      summary: 'Start signing in: redirects the browser to the provider (oidc or github)',
      tag: 'Auth',
      params: provider,
      query: z.object({ return_to: ReturnTo.optional() }),
      status: 303,
      errors: [501],
      description:
        `Keeps state, nonce and PKCE verifier for ${signInAttemptTtlSeconds / 60} minutes, for one callback, and ` +
        'sets an HttpOnly cookie that ties the sign-in to this browser. 501 when the provider is not configured.',
      handle: async ({ params, query, ctx }) => {
        const started = await signIn.start(params.provider, { returnTo: query.return_to });
        setSignInCookie(ctx, started.browserBinding, signInAttemptTtlSeconds);
        return started.authorizationUrl.href;
      },
    }),
    publicRoute({
      method: 'get',
      path: '/auth/{provider}/callback',
      summary: 'The provider’s redirect back: signs in and lands on the Studio',
      tag: 'Auth',
      params: provider,
      query: z.object({
        code: z.string().max(2000).optional().describe('The authorization code.'),
        state: z.string().max(500).optional().describe('The state the start sent.'),
        iss: z.string().max(500).optional().describe('The issuer (RFC 9207), when it sends one.'),
        error: z.string().max(200).optional().describe('Why the provider refused, instead of a code.'),
        error_description: z.string().max(2000).optional(),
      }),
      status: 303,
      errors: [401, 403, 501],
      description:
        'The redirect URI to register at the provider: <ASTROMESH_PUBLIC_URL>/api/v1/auth/{provider}/callback. ' +
        'Checks the state (issued here, unused, unexpired, this browser’s), exchanges the code with the PKCE ' +
        'verifier, validates the ID token (issuer, audience, nonce, expiry, signature) or asks GitHub, and ' +
        'requires a verified email. Then the session cookie is set, as for the Studio’s dev login, and the ' +
        'browser goes to the Studio page the start named. 401 sign_in_refused for a forged, replayed or ' +
        'expired callback, 403 email_not_verified; a caller that prefers text/html (a browser) is sent to ' +
        '/studio/sign-in?sign_in_error=<code> instead.',
      handle: async ({ params, ctx }) => {
        try {
          const { tokens, returnTo } = await finishFromBrowser(ctx, signIn, params.provider);
          setRefreshCookie(ctx, tokens.refresh_token, session.refreshTtlSeconds);
          return returnTo;
        } catch (err) {
          // A person's browser lands on the Studio's sign-in page with the refusal in words rather
          // than on a JSON error; the code alone travels, so a crafted link cannot put text there.
          if (!(err instanceof AppError) || err.status >= 500 || !prefersHtml(ctx)) throw err;
          noteAudit(ctx, { summary: { provider: params.provider, refused: err.code } });
          return `/studio/sign-in?sign_in_error=${encodeURIComponent(err.code)}`;
        }
      },
    }),
  ];
}

/**
 * Finishes with the callback's query and this browser's cookie; the cookie goes either way (single
 * use). The audit log gets `auth.sign_in` whatever the outcome (a refused one with its 4xx and no
 * one as its actor), with the provider and, once signed in, the user and their email.
 */
export async function finishFromBrowser(
  ctx: Context,
  signIn: SignInService,
  providerId: z.infer<typeof SignInProviderId>,
  callbackParams: URLSearchParams = new URLSearchParams(ctx.querystring),
) {
  noteAudit(ctx, { action: 'auth.sign_in', summary: { provider: providerId } });
  const browserBinding = signInCookieOf(ctx);
  clearSignInCookie(ctx);
  const finished = await signIn.finish(providerId, { callbackParams, browserBinding });
  noteAudit(ctx, {
    actor: { kind: 'user', id: finished.userId },
    org: { slug: finished.tokens.org_slug },
    target: finished.email,
    summary: { provider: providerId, email: finished.email },
  });
  return finished;
}

// A browser's navigation (Accept: text/html first); API clients and fetch (Accept: any) get JSON.
function prefersHtml(ctx: Context): boolean {
  return ctx.accepts('json', 'html') === 'html';
}

import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import * as openid from 'openid-client';
import type { SignInConfig } from '../../config/sign-in-config.ts';
import type { Database } from '../../db/database.ts';
import { AppError, NotImplemented } from '../../errors.ts';
import { insertSignInAttempt, type SignInProvider, takeSignInAttempt } from '../../stores/sign-in-attempts-store.ts';
import type { AuthService, TokenPair } from '../auth-service.ts';
import { createGithubClient } from './github-client.ts';
import { createOidcClient } from './oidc-client.ts';
import { IdentityProviderUnavailable, type ProviderClient, SignInRefused } from './provider-client.ts';

/** How long a started sign-in waits for its callback: long enough to type a password and a second factor. */
export const signInAttemptTtlSeconds = 600;
/** Where a browser lands after signing in, unless the start named another Studio page. */
export const defaultReturnTo = '/studio/';

export interface StartedSignIn {
  authorizationUrl: URL;
  state: string;
  /** The random value the starting browser keeps in a cookie; the callback must bring it back. */
  browserBinding: string;
}

export interface ConfiguredProvider {
  id: SignInProvider;
  name: string;
  start_url: string;
}

/**
 * Sign-in through an identity provider, ending in the same session dev login gives. The start
 * keeps state, nonce and PKCE verifier server-side (hashed state, single use, minutes long); the
 * callback takes them back once, checks the browser is the one that started, lets the provider
 * client check the rest, and signs in the account of the provider's verified email.
 */
export function createSignInService(deps: { db: Database; auth: AuthService; config: SignInConfig }) {
  const { config } = deps;
  const callbackUrlOf = (provider: SignInProvider) =>
    `${config.publicUrl?.href.replace(/\/$/, '')}/api/v1/auth/${provider}/callback`;
  const clients: Partial<Record<SignInProvider, { client: ProviderClient; name: string }>> = {};
  if (config.oidc) {
    clients.oidc = { client: createOidcClient(config.oidc, callbackUrlOf('oidc')), name: config.oidc.displayName };
  }
  if (config.github) {
    clients.github = { client: createGithubClient(config.github, callbackUrlOf('github')), name: 'GitHub' };
  }
  const identityProviderOf = (provider: SignInProvider) =>
    provider === 'oidc' ? (config.oidc?.issuer.href ?? 'oidc') : `github:${config.github?.webUrl.host}`;

  function clientOf(provider: SignInProvider) {
    const configured = clients[provider];
    if (configured) return configured;
    const variables =
      provider === 'oidc'
        ? 'ASTROMESH_OIDC_ISSUER, _CLIENT_ID and _CLIENT_SECRET'
        : 'ASTROMESH_GITHUB_CLIENT_ID and _CLIENT_SECRET';
    throw new NotImplemented(
      `${provider === 'oidc' ? 'OpenID Connect' : 'GitHub'} sign-in is not configured on this deployment (${variables}); ` +
        'use POST /api/v1/auth/dev/login in development',
    );
  }

  /** A provider's failure that is not a refusal (network, a malformed answer) is a 503. */
  async function calling<T>(provider: SignInProvider, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw new IdentityProviderUnavailable(clientOf(provider).name, err);
    }
  }

  return {
    /** The providers configured here, for the Studio's sign-in buttons. */
    providers(): ConfiguredProvider[] {
      return (Object.keys(clients) as SignInProvider[]).map((id) => ({
        id,
        name: clients[id]?.name ?? id,
        start_url: `/api/v1/auth/${id}/start`,
      }));
    },

    async start(provider: SignInProvider, input: { returnTo?: string }): Promise<StartedSignIn> {
      const { client } = clientOf(provider);
      const state = openid.randomState();
      const nonce = openid.randomNonce();
      const codeVerifier = openid.randomPKCECodeVerifier();
      const browserBinding = randomBytes(32).toString('base64url');
      const authorizationUrl = await calling(provider, async () =>
        client.authorizationUrl({ state, nonce, codeChallenge: await openid.calculatePKCECodeChallenge(codeVerifier) }),
      );
      await insertSignInAttempt(deps.db, {
        stateHash: hashOf(state),
        provider,
        nonce,
        codeVerifier,
        browserHash: hashOf(browserBinding),
        returnTo: input.returnTo ?? defaultReturnTo,
        ttlSeconds: signInAttemptTtlSeconds,
      });
      return { authorizationUrl, state, browserBinding };
    },

    /** Finishes the sign-in the callback's state belongs to; the browser binding is its cookie. */
    async finish(
      provider: SignInProvider,
      input: { callbackParams: URLSearchParams; browserBinding: string | undefined },
    ): Promise<{ tokens: TokenPair; returnTo: string; userId: string; email: string }> {
      const { client } = clientOf(provider);
      const state = input.callbackParams.get('state');
      if (!state) throw new SignInRefused('state: missing from the callback; start the sign-in again');
      const attempt = await takeSignInAttempt(deps.db, { stateHash: hashOf(state), provider });
      if (!attempt) {
        throw new SignInRefused('state: not one this API issued, already used or expired; start the sign-in again');
      }
      if (!input.browserBinding || !timingSafeEqual(hashOf(input.browserBinding), attempt.browserHash)) {
        throw new SignInRefused('this sign-in was started in another browser (its cookie is missing or differs)');
      }
      const account = await calling(provider, () =>
        client.verifiedAccount({
          callbackParams: input.callbackParams,
          state,
          nonce: attempt.nonce,
          codeVerifier: attempt.codeVerifier,
        }),
      );
      if (!account.email) throw new AppError('email_not_verified', 403, 'the provider gave no email address');
      if (!account.emailVerified) {
        throw new AppError(
          'email_not_verified',
          403,
          `the provider has not verified ${account.email}; verify it there, then sign in again`,
        );
      }
      const { tokens, userId } = await deps.auth.signInVerified({
        email: account.email,
        name: account.name,
        identity: { provider: identityProviderOf(provider), subject: account.subject },
      });
      return { tokens, returnTo: attempt.returnTo, userId, email: account.email.trim().toLowerCase() };
    },
  };
}
export type SignInService = ReturnType<typeof createSignInService>;

function hashOf(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

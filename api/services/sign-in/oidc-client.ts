import * as openid from 'openid-client';
import type { OidcSignInConfig } from '../../config/sign-in-config.ts';
import { type ProviderClient, SignInRefused, type VerifiedAccount } from './provider-client.ts';

// Discovery, JWKS and every check of the code flow (state, nonce, PKCE, the ID token's issuer,
// audience, expiry and signature) are openid-client's, a certified relying party; this file only
// says which values to check and what an account is.
const requestTimeoutSeconds = 10;

/** Sign-in with any OpenID Connect issuer through the authorization code flow with PKCE. */
export function createOidcClient(config: OidcSignInConfig, redirectUri: string): ProviderClient {
  let discovered: Promise<openid.Configuration> | undefined;

  // Read once and kept: the document and its keys rarely change, and openid-client refetches the
  // JWKS itself when a token names a key it has not seen. A failed read is forgotten, so the next
  // sign-in tries again instead of failing until a restart.
  function configuration(): Promise<openid.Configuration> {
    discovered ??= openid
      .discovery(config.issuer, config.clientId, undefined, openid.ClientSecretBasic(config.clientSecret), {
        timeout: requestTimeoutSeconds,
        // http only reaches here for a loopback issuer (sign-in-config.ts refuses it elsewhere).
        execute: config.issuer.protocol === 'http:' ? [openid.allowInsecureRequests] : [],
      })
      .catch((err: unknown) => {
        discovered = undefined;
        throw err;
      });
    return discovered;
  }

  return {
    async authorizationUrl({ state, nonce, codeChallenge }) {
      return openid.buildAuthorizationUrl(await configuration(), {
        redirect_uri: redirectUri,
        scope: 'openid email profile',
        state,
        nonce,
        code_challenge: codeChallenge,
        code_challenge_method: 'S256',
      });
    },

    async verifiedAccount({ callbackParams, state, nonce, codeVerifier }): Promise<VerifiedAccount> {
      const settings = await configuration();
      const callbackUrl = new URL(redirectUri);
      for (const [name, value] of callbackParams) callbackUrl.searchParams.set(name, value);
      let tokens: Awaited<ReturnType<typeof openid.authorizationCodeGrant>>;
      try {
        tokens = await openid.authorizationCodeGrant(settings, callbackUrl, {
          expectedState: state,
          expectedNonce: nonce,
          pkceCodeVerifier: codeVerifier,
          idTokenExpected: true,
        });
      } catch (err) {
        throw refusalOf(err);
      }
      const idToken = tokens.claims();
      if (!idToken) throw new SignInRefused('the issuer returned no ID token');
      // Some issuers put the email in the ID token (Google, Keycloak), others only in UserInfo
      // (OpenID Connect Core 5.4 lets them): ask UserInfo when the token has none.
      let claims: Record<string, unknown> = idToken;
      if (typeof idToken.email !== 'string') {
        try {
          claims = { ...(await openid.fetchUserInfo(settings, tokens.access_token, idToken.sub)), sub: idToken.sub };
        } catch (err) {
          throw refusalOf(err);
        }
      }
      return {
        subject: idToken.sub,
        email: typeof claims.email === 'string' ? claims.email : undefined,
        // Some issuers send "true" as a string; anything but true (or "true") is not verified.
        emailVerified: claims.email_verified === true || claims.email_verified === 'true',
        name: typeof claims.name === 'string' ? claims.name : '',
      };
    },
  };
}

/** What the issuer or a check refused, in words; a network failure stays an error (503). */
function refusalOf(err: unknown): unknown {
  if (err instanceof openid.ResponseBodyError || err instanceof openid.AuthorizationResponseError) {
    const description = err.error_description ? `: ${err.error_description}` : '';
    return new SignInRefused(`the issuer refused the sign-in (${err.error}${description})`);
  }
  if (err instanceof openid.ClientError) {
    // The check that failed (the nonce, iss, aud, exp… claim) is named by the cause; its own
    // message is generic. Neither holds a token or secret.
    return new SignInRefused(err.cause instanceof Error ? `${err.message}: ${err.cause.message}` : err.message);
  }
  return err;
}

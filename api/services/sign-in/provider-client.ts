import { AppError } from '../../errors.ts';

/** Who the provider says signed in. */
export interface VerifiedAccount {
  /** The provider's stable id of the account (OIDC `sub`, GitHub's numeric user id). */
  subject: string;
  email: string | undefined;
  /** Whether the provider verified the address: only a verified email may match an account. */
  emailVerified: boolean;
  name: string;
}

/** One identity provider's side of the authorization code flow with PKCE. */
export interface ProviderClient {
  authorizationUrl(input: { state: string; nonce: string; codeChallenge: string }): Promise<URL>;
  /** Exchanges the callback's code and checks everything the flow promises; throws SignInRefused. */
  verifiedAccount(input: {
    callbackParams: URLSearchParams;
    state: string;
    nonce: string;
    codeVerifier: string;
  }): Promise<VerifiedAccount>;
}

/** A sign-in the provider or a check refused: start again (401). */
export class SignInRefused extends AppError {
  constructor(message: string) {
    super('sign_in_refused', 401, message);
  }
}

/** The provider could not be reached or answered nonsense (503, like a database outage: retry later). */
export class IdentityProviderUnavailable extends AppError {
  constructor(provider: string, cause: unknown) {
    super('identity_provider_unavailable', 503, `${provider} could not be reached; try again shortly`, {
      cause,
      headers: { 'Retry-After': '5' },
    });
  }
}

import type { GithubSignInConfig } from '../../config/sign-in-config.ts';
import { type ProviderClient, SignInRefused, type VerifiedAccount } from './provider-client.ts';

const requestTimeoutMs = 10_000;

interface GithubEmail {
  email: string;
  primary: boolean;
  verified: boolean;
}

/**
 * Sign-in with GitHub's OAuth web flow (docs: "Authorizing OAuth apps"), with PKCE, which GitHub
 * supports for OAuth apps. GitHub has no ID token: who signed in is what its REST API says for
 * the access token, and the email is one GitHub marks verified (GET /user/emails).
 */
export function createGithubClient(config: GithubSignInConfig, redirectUri: string): ProviderClient {
  const web = (path: string) => new URL(`${config.webUrl.href.replace(/\/$/, '')}${path}`);
  const api = (path: string) => new URL(`${config.apiUrl.href.replace(/\/$/, '')}${path}`);

  async function apiGet<T>(path: string, accessToken: string): Promise<T> {
    const response = await fetch(api(path), {
      headers: {
        accept: 'application/vnd.github+json',
        authorization: `Bearer ${accessToken}`,
        'x-github-api-version': '2022-11-28',
        'user-agent': 'astromesh-cloud',
      },
      signal: AbortSignal.timeout(requestTimeoutMs),
    });
    // GitHub failing (5xx) is an outage to retry (503); a refusal of the token (401, 403) is a refused sign-in.
    if (response.status >= 500) throw new Error(`GitHub answered ${response.status} to GET ${path}`);
    if (!response.ok) throw new SignInRefused(`GitHub answered ${response.status} to GET ${path}`);
    return (await response.json()) as T;
  }

  return {
    async authorizationUrl({ state, codeChallenge }) {
      const url = web('/login/oauth/authorize');
      url.searchParams.set('client_id', config.clientId);
      url.searchParams.set('redirect_uri', redirectUri);
      // user:email: the addresses and whether GitHub verified them, private ones included.
      url.searchParams.set('scope', 'read:user user:email');
      url.searchParams.set('state', state);
      url.searchParams.set('code_challenge', codeChallenge);
      url.searchParams.set('code_challenge_method', 'S256');
      return url;
    },

    async verifiedAccount({ callbackParams, codeVerifier }): Promise<VerifiedAccount> {
      const refusal = callbackParams.get('error');
      if (refusal) {
        const description = callbackParams.get('error_description');
        throw new SignInRefused(`GitHub refused the sign-in (${refusal}${description ? `: ${description}` : ''})`);
      }
      const code = callbackParams.get('code');
      if (!code) throw new SignInRefused('code: missing from the callback');
      const response = await fetch(web('/login/oauth/access_token'), {
        method: 'POST',
        headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          client_id: config.clientId,
          client_secret: config.clientSecret,
          code,
          redirect_uri: redirectUri,
          code_verifier: codeVerifier,
        }),
        signal: AbortSignal.timeout(requestTimeoutMs),
      });
      // GitHub answers a refused code with 200 and an error field, so the body decides.
      const answer = (await response.json().catch(() => ({}))) as {
        access_token?: string;
        error?: string;
        error_description?: string;
      };
      if (!response.ok || !answer.access_token) {
        const reason = answer.error ?? `status ${response.status}`;
        const description = answer.error_description ? `: ${answer.error_description}` : '';
        throw new SignInRefused(`GitHub refused the code (${reason}${description})`);
      }
      const user = await apiGet<{ id: number; login: string; name: string | null }>('/user', answer.access_token);
      const emails = await apiGet<GithubEmail[]>('/user/emails', answer.access_token);
      // The primary address if GitHub verified it, else any verified one: never an unverified one.
      const verified = Array.isArray(emails) ? emails.filter((entry) => entry.verified === true) : [];
      const chosen = verified.find((entry) => entry.primary) ?? verified[0];
      const primary = Array.isArray(emails) ? emails.find((entry) => entry.primary) : undefined;
      return {
        subject: String(user.id),
        email: chosen?.email ?? primary?.email,
        emailVerified: chosen !== undefined,
        name: user.name ?? user.login ?? '',
      };
    },
  };
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGithub, type FakeGithubUser, startFakeGithub } from '../fakes/start-fake-github.ts';
import { browserlessBrowser } from '../support/browserless-browser.ts';
import { freePort } from '../support/free-port.ts';
import { jsonOf } from '../support/json-of.ts';
import { startTestApi, type TestApi } from '../support/start-test-api.ts';

// Issue 15, item 4: sign-in with GitHub's OAuth web flow, against a fake GitHub speaking its
// wire format (the authorize redirect, the token exchange, GET /user and /user/emails).
describe('signing in with GitHub', () => {
  let github: FakeGithub;
  let api: TestApi;
  let callbackUrl: string;

  beforeAll(async () => {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    callbackUrl = `${publicUrl}/api/v1/auth/github/callback`;
    github = await startFakeGithub({ redirectUri: callbackUrl });
    api = await startTestApi({
      port,
      env: {
        ASTROMESH_PUBLIC_URL: publicUrl,
        ASTROMESH_GITHUB_CLIENT_ID: github.clientId,
        ASTROMESH_GITHUB_CLIENT_SECRET: github.clientSecret,
        ASTROMESH_GITHUB_URL: github.webUrl,
        ASTROMESH_GITHUB_API_URL: github.apiUrl,
      },
    });
  });
  afterAll(async () => {
    await api?.stop();
    await github?.stop();
  });

  function aGithubUser(emails?: FakeGithubUser['emails']): FakeGithubUser {
    const login = `octo-${crypto.randomUUID().slice(0, 8)}`;
    return {
      id: Math.floor(Math.random() * 1e9),
      login,
      name: null,
      emails: emails ?? [{ email: `${login}@example.com`, primary: true, verified: true }],
    };
  }

  async function toCallback(user: FakeGithubUser) {
    github.signInAs(user);
    const browser = browserlessBrowser();
    const callback = await browser.navigateUntil(`${api.url}/api/v1/auth/github/start`, (url) =>
      url.href.startsWith(callbackUrl),
    );
    return { browser, callback };
  }

  const refreshWithCookie = (browser: ReturnType<typeof browserlessBrowser>) =>
    browser.fetch(`${api.url}/api/v1/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-astromesh-session': 'cookie' },
      body: '{}',
    });

  it('signs in with the verified primary email and lands on the Studio with a session', async () => {
    const user = aGithubUser();
    const { browser, callback } = await toCallback(user);

    const landed = await browser.fetch(callback);

    expect(landed.status).toBe(303);
    expect(landed.headers.get('location')).toBe('/studio/');
    const tokens = await jsonOf(await refreshWithCookie(browser));
    expect(tokens.org_slug).toBe(`${user.login}-example-com`);
    const me = await jsonOf(await api.request('/orgs/me', { token: tokens.access_token }));
    expect(me).toMatchObject({ role: 'owner' });
  });

  it('exchanges the code with the client secret, the redirect URI and the PKCE verifier, as GitHub asks', async () => {
    const { browser, callback } = await toCallback(aGithubUser());

    await browser.fetch(callback);

    expect(github.tokenRequests.at(-1)).toEqual({
      client_id: github.clientId,
      client_secret: github.clientSecret,
      code: callback.searchParams.get('code'),
      redirect_uri: callbackUrl,
      code_verifier: expect.stringMatching(/^[A-Za-z0-9_-]{43,128}$/),
    });
  });

  it('takes a verified secondary email when the primary one is not verified', async () => {
    const user = aGithubUser([
      { email: 'unverified-primary@example.com', primary: true, verified: false },
      { email: `verified-${crypto.randomUUID().slice(0, 8)}@example.com`, primary: false, verified: true },
    ]);
    const { browser, callback } = await toCallback(user);

    await browser.fetch(callback);
    const tokens = await jsonOf(await refreshWithCookie(browser));

    expect(tokens.org_slug).toMatch(/^verified-/);
  });

  it('refuses an account with no verified email', async () => {
    const user = aGithubUser([{ email: `nobody-${crypto.randomUUID()}@example.com`, primary: true, verified: false }]);
    const { browser, callback } = await toCallback(user);

    const refused = await browser.fetch(callback);

    expect(refused.status).toBe(403);
    expect(await jsonOf(refused)).toMatchObject({ error: 'email_not_verified' });
    expect(browser.cookies.has('astromesh_refresh')).toBe(false);
  });

  it('refuses a replayed callback', async () => {
    const { browser, callback } = await toCallback(aGithubUser());
    const bindingCookie = browser.cookies.get('astromesh_sign_in') as string;
    await browser.fetch(callback);
    browser.cookies.set('astromesh_sign_in', bindingCookie);

    const replayed = await browser.fetch(callback);

    expect(replayed.status).toBe(401);
    expect((await jsonOf(replayed)).error).toBe('sign_in_refused');
  });

  it('refuses a forged state, and a callback GitHub answered with an error', async () => {
    const { browser, callback } = await toCallback(aGithubUser());
    const forged = new URL(callback);
    forged.searchParams.set('state', 'forged');
    const denied = new URL(callbackUrl);
    denied.searchParams.set('error', 'access_denied');
    denied.searchParams.set('error_description', 'The user has denied your application access.');
    denied.searchParams.set('state', callback.searchParams.get('state') as string);

    const deniedAnswer = await browser.fetch(denied);
    const forgedAnswer = await browser.fetch(forged);

    expect(forgedAnswer.status).toBe(401);
    expect(deniedAnswer.status).toBe(401);
    expect((await jsonOf(deniedAnswer)).message).toMatch(/access_denied/);
    expect((await jsonOf(forgedAnswer)).message).toMatch(/^state: /);
  });

  it('refuses a code exchanged with the wrong PKCE verifier (GitHub answers bad_verification_code)', async () => {
    const { browser, callback } = await toCallback(aGithubUser());
    await api.db.query(`UPDATE sign_in_attempts SET code_verifier = $1 WHERE used_at IS NULL`, ['y'.repeat(64)]);

    const refused = await browser.fetch(callback);

    expect(refused.status).toBe(401);
    expect((await jsonOf(refused)).message).toMatch(/bad_verification_code/);
  });

  it('lists GitHub among the providers', async () => {
    const body = await jsonOf(await api.request('/auth/providers'));

    expect(body.providers).toEqual([{ id: 'github', name: 'GitHub', start_url: '/api/v1/auth/github/start' }]);
  });

  it('answers 501 for the OpenID Connect routes, which are not configured here', async () => {
    const post = await api.request('/auth/google', { method: 'POST', body: '{}' });
    const start = await api.request('/auth/oidc/start');

    expect(post.status).toBe(501);
    expect(await jsonOf(post)).toMatchObject({
      error: 'not_implemented',
      message: expect.stringMatching(/ASTROMESH_OIDC_ISSUER/),
    });
    expect(start.status).toBe(501);
  });
});

describe('sign-in through a provider when none is configured (seed 003)', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api?.stop();
  });

  it.each(['/auth/google', '/auth/github'])('answers 501 to POST %s', async (path) => {
    const response = await api.request(path, { method: 'POST', body: '{}' });

    expect(response.status).toBe(501);
    expect((await jsonOf(response)).error).toBe('not_implemented');
  });

  it('lists no provider, and says dev login is open', async () => {
    expect(await jsonOf(await api.request('/auth/providers'))).toEqual({ providers: [], dev_login: true });
  });
});

describe('sign-in when the identity provider cannot be reached', () => {
  let api: TestApi;
  beforeAll(async () => {
    const closedPort = await freePort();
    api = await startTestApi({
      env: {
        ASTROMESH_PUBLIC_URL: 'http://127.0.0.1:1',
        ASTROMESH_OIDC_ISSUER: `http://127.0.0.1:${closedPort}`,
        ASTROMESH_OIDC_CLIENT_ID: 'client',
        ASTROMESH_OIDC_CLIENT_SECRET: 'secret',
      },
    });
  });
  afterAll(async () => {
    await api?.stop();
  });

  it('answers 503 identity_provider_unavailable with Retry-After, and keeps serving', async () => {
    const response = await api.request('/auth/oidc/start');

    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(await jsonOf(response)).toMatchObject({ error: 'identity_provider_unavailable' });
    expect((await api.request('/auth/providers')).status).toBe(200);
  });
});

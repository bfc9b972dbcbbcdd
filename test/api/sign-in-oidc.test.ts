import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserlessBrowser } from '../support/browserless-browser.ts';
import { freePort } from '../support/free-port.ts';
import { jsonOf } from '../support/json-of.ts';
import { startOidcProvider, type TestOidcProvider } from '../support/start-oidc-provider.ts';
import { startTestApi, type TestApi } from '../support/start-test-api.ts';

// Issue 15, item 4: sign-in with any OpenID Connect issuer, through a real OpenID Provider
// (oidc-provider) and a browser-less browser that follows redirects and fills in its forms.
describe('signing in with an OpenID Connect issuer', () => {
  let op: TestOidcProvider;
  let api: TestApi;
  let callbackUrl: string;

  beforeAll(async () => {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    callbackUrl = `${publicUrl}/api/v1/auth/oidc/callback`;
    op = await startOidcProvider({ redirectUri: callbackUrl });
    api = await startTestApi({
      port,
      env: {
        ASTROMESH_PUBLIC_URL: publicUrl,
        ASTROMESH_OIDC_ISSUER: op.issuer,
        ASTROMESH_OIDC_CLIENT_ID: op.clientId,
        ASTROMESH_OIDC_CLIENT_SECRET: op.clientSecret,
        ASTROMESH_OIDC_NAME: 'Test IdP',
      },
    });
  });
  afterAll(async () => {
    await api?.stop();
    await op?.stop();
  });

  /** A person: a verified account at the issuer, and a browser of their own. */
  function aPerson(options: { verified?: boolean } = {}) {
    const login = `user-${crypto.randomUUID().slice(0, 8)}`;
    const email = `${login}@example.com`;
    op.accounts.set(login, { email, email_verified: options.verified ?? true, name: `Person ${login}` });
    return { login, email, browser: browserlessBrowser() };
  }

  const isCallback = (url: URL) => url.href.startsWith(callbackUrl);

  /** Starts at the API and signs in at the issuer, up to (not including) the API's callback. */
  function toCallback(person: ReturnType<typeof aPerson>, start = `${api.url}/api/v1/auth/oidc/start`) {
    return person.browser.navigateUntil(start, isCallback, { login: person.login });
  }

  const refreshWithCookie = (person: ReturnType<typeof aPerson>) =>
    person.browser.fetch(`${api.url}/api/v1/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-astromesh-session': 'cookie' },
      body: '{}',
    });

  it('lists the issuer among the providers, for the Studio', async () => {
    const body = await jsonOf(await api.request('/auth/providers'));

    expect(body).toEqual({
      providers: [{ id: 'oidc', name: 'Test IdP', start_url: '/api/v1/auth/oidc/start' }],
      dev_login: true,
    });
  });

  it('signs in through the code flow and lands on the Studio with the same session as dev login', async () => {
    const person = aPerson();
    const callback = await toCallback(person);

    const landed = await person.browser.fetch(callback);

    expect(landed.status).toBe(303);
    expect(landed.headers.get('location')).toBe('/studio/');
    expect(person.browser.cookies.get('astromesh_refresh')).toBeTruthy();
    expect(person.browser.cookies.has('astromesh_sign_in')).toBe(false);
    const refreshed = await refreshWithCookie(person);
    expect(refreshed.status).toBe(200);
    const tokens = await jsonOf(refreshed);
    expect(tokens).toMatchObject({ token_type: 'bearer', org_slug: person.email.replace(/[^a-z0-9]+/g, '-') });
    const me = await jsonOf(await api.request('/orgs/me', { token: tokens.access_token }));
    expect(me).toMatchObject({ slug: tokens.org_slug, role: 'owner' });
    const identities = await api.db.query(
      'SELECT i.provider, i.subject FROM user_identities i JOIN users u ON u.id = i.user_id WHERE u.email = $1',
      [person.email],
    );
    expect(identities.rows).toEqual([{ provider: `${op.issuer}/`, subject: person.login }]);
  });

  it('refuses a callback after its sign-in expired', async () => {
    const person = aPerson();
    const callback = await toCallback(person);
    await api.db.query(`UPDATE sign_in_attempts SET expires_at = now() - interval '1 second' WHERE used_at IS NULL`);

    const late = await person.browser.fetch(callback);

    expect(late.status).toBe(401);
    expect((await jsonOf(late)).message).toMatch(/expired/);
  });

  it('revokes the session when a refresh token from the sign-in is used twice, as for dev login', async () => {
    const person = aPerson();
    await person.browser.fetch(await toCallback(person));
    const first = person.browser.cookies.get('astromesh_refresh') as string;
    await refreshWithCookie(person);
    const newest = person.browser.cookies.get('astromesh_refresh') as string;

    const reused = await api.request('/auth/refresh', {
      method: 'POST',
      body: JSON.stringify({ refresh_token: first }),
    });
    const afterReuse = await api.request('/auth/refresh', {
      method: 'POST',
      body: JSON.stringify({ refresh_token: newest }),
    });

    expect(reused.status).toBe(401);
    expect(afterReuse.status).toBe(401);
    expect((await jsonOf(afterReuse)).message).toMatch(/session/);
  });

  it('returns to the Studio page the start named', async () => {
    const person = aPerson();
    const callback = await toCallback(person, `${api.url}/api/v1/auth/oidc/start?return_to=/studio/agents`);

    const landed = await person.browser.fetch(callback);

    expect(landed.headers.get('location')).toBe('/studio/agents');
  });

  it.each(['//evil.example/studio', 'https://evil.example/studio/', '/studio/../api/v1/orgs/me'])(
    'refuses to return anywhere but a Studio page (%s)',
    async (returnTo) => {
      const response = await api.request(`/auth/oidc/start?return_to=${encodeURIComponent(returnTo)}`);

      expect(response.status).toBe(400);
      expect((await jsonOf(response)).message).toMatch(/^return_to: /);
    },
  );

  it('refuses a replayed callback: the same code and state a second time', async () => {
    const person = aPerson();
    const callback = await toCallback(person);
    const bindingCookie = person.browser.cookies.get('astromesh_sign_in') as string;
    await person.browser.fetch(callback);
    person.browser.cookies.set('astromesh_sign_in', bindingCookie);

    const replayed = await person.browser.fetch(callback);

    expect(replayed.status).toBe(401);
    expect(await jsonOf(replayed)).toMatchObject({
      error: 'sign_in_refused',
      message: expect.stringMatching(/^state: /),
    });
  });

  it('refuses a callback whose state this API never issued', async () => {
    const person = aPerson();
    const callback = await toCallback(person);
    callback.searchParams.set('state', 'forged-state-value');

    const forged = await person.browser.fetch(callback);

    expect(forged.status).toBe(401);
    expect((await jsonOf(forged)).error).toBe('sign_in_refused');
    expect(person.browser.cookies.has('astromesh_refresh')).toBe(false);
  });

  it('sends a browser that prefers HTML to the Studio sign-in page with the refusal’s code, and no session', async () => {
    const person = aPerson();
    const callback = await toCallback(person);
    callback.searchParams.set('state', 'forged-state-value');

    const landed = await person.browser.fetch(callback, {
      headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' },
    });

    expect(landed.status).toBe(303);
    expect(landed.headers.get('location')).toBe('/studio/sign-in?sign_in_error=sign_in_refused');
    expect(person.browser.cookies.has('astromesh_refresh')).toBe(false);
  });

  it('refuses a callback in a browser other than the one that started (login CSRF)', async () => {
    const attacker = aPerson();
    const callback = await toCallback(attacker);
    const victim = browserlessBrowser();

    const planted = await victim.fetch(callback);

    expect(planted.status).toBe(401);
    expect((await jsonOf(planted)).message).toMatch(/another browser/);
    expect(victim.cookies.has('astromesh_refresh')).toBe(false);
  });

  it('refuses an ID token whose nonce is not the one this sign-in sent', async () => {
    const person = aPerson();
    const callback = await toCallback(person);
    await api.db.query(`UPDATE sign_in_attempts SET nonce = 'another-sign-ins-nonce' WHERE used_at IS NULL`);

    const refused = await person.browser.fetch(callback);

    expect(refused.status).toBe(401);
    expect(await jsonOf(refused)).toMatchObject({ error: 'sign_in_refused', message: expect.stringMatching(/nonce/) });
  });

  it('refuses a code exchanged with the wrong PKCE verifier', async () => {
    const person = aPerson();
    const callback = await toCallback(person);
    await api.db.query(`UPDATE sign_in_attempts SET code_verifier = $1 WHERE used_at IS NULL`, ['x'.repeat(64)]);

    const refused = await person.browser.fetch(callback);

    expect(refused.status).toBe(401);
    expect(await jsonOf(refused)).toMatchObject({
      error: 'sign_in_refused',
      message: expect.stringMatching(/invalid_grant/),
    });
  });

  it('refuses an authorization request stripped of its PKCE challenge (the issuer says why, the API refuses)', async () => {
    const person = aPerson();
    const start = await person.browser.fetch(`${api.url}/api/v1/auth/oidc/start`);
    const authorization = new URL(start.headers.get('location') as string);
    authorization.searchParams.delete('code_challenge');
    authorization.searchParams.delete('code_challenge_method');
    const callback = await person.browser.navigateUntil(authorization.href, isCallback, { login: person.login });

    const refused = await person.browser.fetch(callback);

    expect(callback.searchParams.get('code')).toBeNull();
    expect(refused.status).toBe(401);
    expect((await jsonOf(refused)).message).toMatch(/code_challenge|PKCE/i);
  });

  it('refuses an email the issuer has not verified, and creates no account', async () => {
    const person = aPerson({ verified: false });
    const callback = await toCallback(person);

    const refused = await person.browser.fetch(callback);

    expect(refused.status).toBe(403);
    expect(await jsonOf(refused)).toMatchObject({ error: 'email_not_verified' });
    const users = await api.db.query('SELECT 1 FROM users WHERE email = $1', [person.email]);
    expect(users.rowCount).toBe(0);
  });

  it('accepts an invitation by signing in with the invited email: the inviting org, with the invited role', async () => {
    const owner = await api.signIn();
    const person = aPerson();
    await owner.as('/members/invite', { method: 'POST', body: JSON.stringify({ email: person.email, role: 'admin' }) });

    await person.browser.fetch(await toCallback(person));
    const tokens = await jsonOf(await refreshWithCookie(person));

    expect(tokens.org_slug).toBe(owner.org);
    const me = await jsonOf(await api.request('/orgs/me', { token: tokens.access_token }));
    expect(me).toMatchObject({ slug: owner.org, role: 'admin' });
  });

  it('starts and finishes through POST /auth/google for a client that handles the redirect itself', async () => {
    const person = aPerson();
    const started = await person.browser.fetch(`${api.url}/api/v1/auth/google`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const { authorization_url, state } = await jsonOf(started);
    const callback = await person.browser.navigateUntil(authorization_url, isCallback, { login: person.login });

    const finished = await person.browser.fetch(`${api.url}/api/v1/auth/google`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        code: callback.searchParams.get('code'),
        state: callback.searchParams.get('state'),
        iss: callback.searchParams.get('iss') ?? undefined,
      }),
    });

    expect(callback.searchParams.get('state')).toBe(state);
    expect(finished.status).toBe(200);
    const tokens = await jsonOf(finished);
    expect(tokens).toMatchObject({ token_type: 'bearer', refresh_token: expect.any(String) });
    const refreshed = await api.request('/auth/refresh', {
      method: 'POST',
      body: JSON.stringify({ refresh_token: tokens.refresh_token }),
    });
    expect(refreshed.status).toBe(200);
  });

  it('refuses a code posted without its state', async () => {
    const response = await api.request('/auth/google', { method: 'POST', body: JSON.stringify({ code: 'a-code' }) });

    expect(response.status).toBe(401);
    expect((await jsonOf(response)).message).toMatch(/^state: missing/);
  });

  it('refuses seed 003’s id_token body with a message naming the field', async () => {
    const response = await api.request('/auth/google', { method: 'POST', body: JSON.stringify({ id_token: 'x.y.z' }) });

    expect(response.status).toBe(400);
    expect((await jsonOf(response)).message).toMatch(/^id_token: /);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf } from '../support/json-of.ts';
import { startTestApi, type TestApi } from '../support/start-test-api.ts';

// Studio's session (README, "Studio sessions"): a caller that sends X-Astromesh-Session: cookie
// gets its refresh token as an HttpOnly cookie scoped to the auth routes instead of in the body;
// callers without the header see seed 003's JSON tokens, unchanged.
describe('the browser session cookie of dev login, refresh and logout', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(async () => {
    await api?.stop();
  });

  const cookieMode = { 'x-astromesh-session': 'cookie' };

  async function cookieLogin(headers: Record<string, string> = {}) {
    const response = await api.request('/auth/dev/login', {
      method: 'POST',
      headers: { ...cookieMode, ...headers },
      body: JSON.stringify({ email: `browser-${crypto.randomUUID()}@example.com` }),
    });
    return { response, body: await jsonOf(response), cookie: cookieOf(response) };
  }

  const refreshWith = (cookie: string, headers: Record<string, string> = cookieMode) =>
    api.request('/auth/refresh', { method: 'POST', headers: { ...headers, cookie }, body: '{}' });

  it('sets the refresh token as an HttpOnly, SameSite=Strict cookie on the auth path, and leaves it out of the body', async () => {
    const { response, body } = await cookieLogin();

    expect(response.status).toBe(200);
    expect(body).toMatchObject({ token_type: 'bearer', org_slug: expect.any(String) });
    expect(body).not.toHaveProperty('refresh_token');
    const setCookie = response.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(
      /^astromesh_refresh=[^;]+; Path=\/api\/v1\/auth; Max-Age=\d+; HttpOnly; SameSite=Strict$/,
    );
  });

  it('marks the cookie Secure when the request came over https through a proxy', async () => {
    const { response } = await cookieLogin({ 'x-forwarded-proto': 'https' });

    expect(response.headers.get('set-cookie')).toMatch(/; SameSite=Strict; Secure$/);
  });

  it('keeps the JSON refresh token and sets no cookie for callers without the header', async () => {
    const login = await api.request('/auth/dev/login', {
      method: 'POST',
      body: JSON.stringify({ email: 'json@example.com' }),
    });
    const body = await jsonOf(login);

    const refreshed = await api.request('/auth/refresh', {
      method: 'POST',
      body: JSON.stringify({ refresh_token: body.refresh_token }),
    });

    expect(login.headers.get('set-cookie')).toBeNull();
    expect(refreshed.status).toBe(200);
    expect(await jsonOf(refreshed)).toMatchObject({ refresh_token: expect.any(String) });
    expect(refreshed.headers.get('set-cookie')).toBeNull();
  });

  it('refreshes from the cookie, rotating it, and the new access token works', async () => {
    const { cookie, body: login } = await cookieLogin();

    const refreshed = await refreshWith(cookie);
    const tokens = await jsonOf(refreshed);
    const agents = await api.request(`/orgs/${login.org_slug}/agents`, { token: tokens.access_token });

    expect(refreshed.status).toBe(200);
    expect(tokens).not.toHaveProperty('refresh_token');
    expect(cookieOf(refreshed)).not.toBe(cookie);
    expect(agents.status).toBe(200);
  });

  it('refuses a cookie refresh without the X-Astromesh-Session header (a cross-site form cannot send it)', async () => {
    const { cookie } = await cookieLogin();

    const refused = await refreshWith(cookie, {});

    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({
      error: 'unauthorized',
      message: expect.stringMatching(/^refresh_token: required/),
    });
    // The cookie was not spent: with the header it still works.
    expect((await refreshWith(cookie)).status).toBe(200);
  });

  it.each(['astromesh_refresh=%E0%A4%A', 'astromesh_refresh=amr_forged', `astromesh_refresh=${'x'.repeat(300)}`])(
    'answers 401, not a 500, to a cookie that holds no live refresh token (%s)',
    async (cookie) => {
      const refused = await refreshWith(cookie);

      expect(refused.status).toBe(401);
      expect(await jsonOf(refused)).toMatchObject({ error: 'unauthorized' });
    },
  );

  it('answers 401 to a cookie-mode refresh that sends no cookie', async () => {
    const refused = await api.request('/auth/refresh', { method: 'POST', headers: cookieMode, body: '{}' });

    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: 'unauthorized', message: expect.stringContaining('sign in') });
  });

  it('revokes the whole session when a used cookie is replayed, and clears the cookie', async () => {
    const { cookie } = await cookieLogin();
    const first = await refreshWith(cookie);
    const rotated = cookieOf(first);

    const replay = await refreshWith(cookie);
    const afterRevocation = await refreshWith(rotated);

    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({ message: expect.stringContaining('already used') });
    expect(replay.headers.get('set-cookie')).toMatch(/^astromesh_refresh=; Path=\/api\/v1\/auth; Max-Age=0; HttpOnly/);
    expect(afterRevocation.status).toBe(401);
  });

  it('clears the cookie on logout, after which it refreshes nothing', async () => {
    const { cookie, body } = await cookieLogin();

    const logout = await api.request('/auth/logout', { method: 'POST', token: body.access_token });
    const refreshed = await refreshWith(cookie);

    expect(logout.status).toBe(204);
    expect(logout.headers.get('set-cookie')).toMatch(
      /^astromesh_refresh=; Path=\/api\/v1\/auth; Max-Age=0; HttpOnly; SameSite=Strict$/,
    );
    expect(refreshed.status).toBe(401);
  });
});

/** The `name=value` of the response's refresh cookie, as a browser sends it back. */
function cookieOf(response: Response): string {
  const setCookie = response.headers.get('set-cookie') ?? '';
  const pair = setCookie.split(';')[0] ?? '';
  if (!pair.startsWith('astromesh_refresh=') || pair === 'astromesh_refresh=') {
    throw new Error(`no refresh cookie was set: '${setCookie}'`);
  }
  return pair;
}

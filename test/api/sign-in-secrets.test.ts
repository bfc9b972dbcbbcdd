import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeGithub, startFakeGithub } from '../fakes/start-fake-github.ts';
import { browserlessBrowser } from '../support/browserless-browser.ts';
import { freePort } from '../support/free-port.ts';
import { jsonOf } from '../support/json-of.ts';
import { type InProcessApi, startApiInProcess } from '../support/start-api-in-process.ts';
import { startOidcProvider, type TestOidcProvider } from '../support/start-oidc-provider.ts';

// Client secrets, codes, states and the tokens a sign-in issues are credentials: none of them
// may reach the log or the audit log, whether the sign-in worked or was refused. The API runs
// as main.ts starts it, with both providers configured through its environment.
describe('sign-in secrets stay out of the log and the audit log', () => {
  let op: TestOidcProvider;
  let github: FakeGithub;
  let api: InProcessApi;
  let publicUrl: string;

  beforeAll(async () => {
    const port = await freePort();
    publicUrl = `http://127.0.0.1:${port}`;
    op = await startOidcProvider({ redirectUri: `${publicUrl}/api/v1/auth/oidc/callback` });
    github = await startFakeGithub({ redirectUri: `${publicUrl}/api/v1/auth/github/callback` });
    api = await startApiInProcess({
      env: {
        PORT: String(port),
        ASTROMESH_PUBLIC_URL: publicUrl,
        ASTROMESH_OIDC_ISSUER: op.issuer,
        ASTROMESH_OIDC_CLIENT_ID: op.clientId,
        ASTROMESH_OIDC_CLIENT_SECRET: op.clientSecret,
        ASTROMESH_GITHUB_CLIENT_ID: github.clientId,
        ASTROMESH_GITHUB_CLIENT_SECRET: github.clientSecret,
        ASTROMESH_GITHUB_URL: github.webUrl,
        ASTROMESH_GITHUB_API_URL: github.apiUrl,
      },
    });
  });
  afterAll(async () => {
    await api?.stop();
    await op?.stop();
    await github?.stop();
  });

  it('logs and audits sign-ins, refused and successful, with none of their secrets', async () => {
    op.accounts.set('ada', { email: 'ada@example.com', email_verified: true });
    github.signInAs({
      id: 7,
      login: 'grace',
      name: 'Grace',
      emails: [{ email: 'grace@example.com', primary: true, verified: true }],
    });
    const secrets: string[] = [op.clientSecret, github.clientSecret];

    for (const provider of ['oidc', 'github'] as const) {
      const callbackUrl = `${publicUrl}/api/v1/auth/${provider}/callback`;
      const browser = browserlessBrowser();
      const callback = await browser.navigateUntil(
        `${api.url}/api/v1/auth/${provider}/start`,
        (url) => url.href.startsWith(callbackUrl),
        {
          login: 'ada',
        },
      );
      secrets.push(callback.searchParams.get('code') as string, callback.searchParams.get('state') as string);
      secrets.push(browser.cookies.get('astromesh_sign_in') as string);
      expect((await browser.fetch(new URL(callback.href.replace('state=', 'state=x')))).status).toBe(401);
      const refused = await browserlessBrowser().fetch(callback);
      expect(refused.status).toBe(401);
      const again = browserlessBrowser();
      const second = await again.navigateUntil(
        `${api.url}/api/v1/auth/${provider}/start`,
        (url) => url.href.startsWith(callbackUrl),
        {
          login: 'ada',
        },
      );
      secrets.push(second.searchParams.get('code') as string, second.searchParams.get('state') as string);
      expect((await again.fetch(second)).status).toBe(303);
      const tokens = await jsonOf(
        await again.fetch(`${api.url}/api/v1/auth/refresh`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-astromesh-session': 'cookie' },
          body: '{}',
        }),
      );
      secrets.push(tokens.access_token, ...github.tokenRequests.map((request) => request.code ?? ''));
    }
    await api.server.api.services.audit.settled();

    const logged = JSON.stringify(api.logs());
    const client = new pg.Client({ connectionString: api.database.url });
    await client.connect();
    const audited = await client.query<{
      action: string;
      actor_kind: string;
      status: number;
      summary: unknown;
      text: string;
    }>(
      "SELECT action, actor_kind, status, summary, a::text AS text FROM audit_log a WHERE action = 'auth.sign_in' ORDER BY id",
    );
    await client.end();
    const auditText = audited.rows.map((row) => row.text).join('\n');
    for (const secret of secrets.filter((value) => value && value.length >= 8)) {
      expect(logged).not.toContain(secret);
      expect(auditText).not.toContain(secret);
    }
    expect(audited.rows.map((row) => [row.actor_kind, row.status])).toEqual([
      ['anonymous', 401],
      ['anonymous', 401],
      ['user', 303],
      ['anonymous', 401],
      ['anonymous', 401],
      ['user', 303],
    ]);
    expect(audited.rows[2]?.summary).toEqual({ provider: 'oidc', email: 'ada@example.com' });
    expect(audited.rows[5]?.summary).toEqual({ provider: 'github', email: 'grace@example.com' });
  });
});

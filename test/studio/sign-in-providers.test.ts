import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.ts';
import { startOidcProvider, type TestOidcProvider } from '../support/start-oidc-provider.ts';
import { type StudioBrowser, startStudioBrowser } from './start-studio-browser.ts';

// Issue 15, item 4, as a person meets it: Studio's sign-in page offers the configured issuer, the
// button leads through the issuer's own login and consent pages, and back into Studio signed in.
describe('Studio: signing in with an OpenID Connect issuer, in a real browser', { timeout: 120_000 }, () => {
  let op: TestOidcProvider;
  let studio: StudioBrowser;

  beforeAll(async () => {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    op = await startOidcProvider({ redirectUri: `${publicUrl}/api/v1/auth/oidc/callback` });
    studio = await startStudioBrowser({
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
    await studio?.stop();
    await op?.stop();
  });

  it.each(['desktop', 'phone'] as const)('offers the issuer beside dev login (%s)', async (width) => {
    const studioPage = await studio.openPage(width);

    await studioPage.page.goto(studio.studioUrl);
    await studioPage.page.getByRole('link', { name: 'Sign in with Test IdP' }).waitFor();

    expect(await studioPage.page.getByRole('heading', { name: 'Dev login' }).count()).toBe(1);
    await studio.check(studioPage, 'sign-in-providers');
    expect(studioPage.problems).toEqual([]);
  });

  it('signs in through the issuer’s login and consent pages and lands on the Agents page of the person’s org', async () => {
    op.accounts.set('ada', { email: 'ada@example.com', email_verified: true, name: 'Ada' });
    const studioPage = await studio.openPage('desktop');
    const { page } = studioPage;
    await page.goto(studio.studioUrl);

    await page.getByRole('link', { name: 'Sign in with Test IdP' }).click();
    await page.locator('input[name="login"]').fill('ada');
    await page.locator('input[name="password"]').fill('any password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Agents', level: 1 }).waitFor();

    expect(new URL(page.url()).pathname).toBe('/studio/agents');
    await page.getByText('ada-example-com').first().waitFor();
    expect(studioPage.problems).toEqual([]);
  });

  it('shows why, in words, when the issuer has not verified the email', async () => {
    op.accounts.set('unverified', { email: 'unverified@example.com', email_verified: false });
    const studioPage = await studio.openPage('desktop');
    const { page } = studioPage;
    await page.goto(studio.studioUrl);

    await page.getByRole('link', { name: 'Sign in with Test IdP' }).click();
    await page.locator('input[name="login"]').fill('unverified');
    await page.locator('input[name="password"]').fill('any password');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();

    expect(await alert.textContent()).toMatch(/has not verified your email address/);
    expect(new URL(page.url()).searchParams.get('sign_in_error')).toBe('email_not_verified');
    await studio.check(studioPage, 'sign-in-refused');
  });
});

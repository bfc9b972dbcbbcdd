import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StudioBrowser, startStudioBrowser } from './start-studio-browser.ts';

// Studio keeps its access token in memory only; when the API refuses an expired one, the page
// renews it through the HttpOnly refresh cookie and retries, and the person never notices.
describe('Studio: an expired access token, in a real browser', { timeout: 120_000 }, () => {
  let studio: StudioBrowser;

  beforeAll(async () => {
    studio = await startStudioBrowser({ env: { ASTROMESH_ACCESS_TOKEN_TTL_SECONDS: '1' } });
  });
  afterAll(async () => {
    await studio?.stop();
  });

  it('is renewed through the session cookie and the request retried, without a trip to sign-in', async () => {
    const studioPage = await studio.openPage('desktop');
    const { page } = studioPage;
    const answers: string[] = [];
    page.on('response', (response) => {
      const path = new URL(response.url()).pathname;
      if (path.startsWith('/api/v1/')) answers.push(`${response.status()} ${path}`);
    });
    await page.goto(studio.studioUrl);
    await page.getByLabel('Email').fill('renewal@example.com');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('This org has no agents yet.').waitFor();

    // Refresh the list until the token has expired (its `exp` has a 1-second granularity).
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          return answers.some((answer) => answer.startsWith('401 /api/v1/orgs/'));
        },
        { timeout: 15_000, interval: 500 },
      )
      .toBe(true);

    const expired = answers.findIndex((answer) => answer.startsWith('401 /api/v1/orgs/'));
    await expect
      .poll(() => answers.slice(expired, expired + 3))
      .toEqual([
        '401 /api/v1/orgs/renewal-example-com/agents',
        '200 /api/v1/auth/refresh',
        '200 /api/v1/orgs/renewal-example-com/agents',
      ]);
    await page.getByText('This org has no agents yet.').waitFor();
    expect(await page.getByRole('heading', { name: 'Sign in' }).count()).toBe(0);
    expect(studioPage.problems).toEqual([]);
  });
});

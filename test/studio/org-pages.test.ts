import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-provider.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { aSupportBot } from '../support/a-support-bot.ts';
import { post } from '../support/post.ts';
import { type StudioBrowser, type StudioPage, startStudioBrowser, type Width } from './start-studio-browser.ts';

// Issue 14's org pages in a real chromium: members up to the plan's limit, an API key's secret
// shown once and used for real, a provider key that never comes back in clear, and the usage chart
// counting real runs. Every page is scanned by axe-core and photographed at both widths.
describe('Studio: the org pages (members, API keys, provider keys, usage), in a real browser', {
  timeout: 300_000,
}, () => {
  let studio: StudioBrowser;
  let fake: FakeProvider;

  beforeAll(async () => {
    studio = await startStudioBrowser();
    fake = await startFakeProvider('openai');
  });
  afterAll(async () => {
    await fake?.close();
    await studio?.stop();
  });

  /** A fresh page at `width`, signed in as `email` (dev login: the user's own org), on `path`. */
  async function signedInPage(width: Width, email: string, path: string): Promise<StudioPage> {
    const studioPage = await studio.openPage(width);
    await studio.signIn(studioPage, email);
    await studioPage.page.goto(`${studio.studioUrl}${path}`);
    return studioPage;
  }

  const status = (page: Page, text: string) => page.getByRole('status').filter({ hasText: text });

  it('invites members up to the limit of 3 and explains the limit in words', async () => {
    const desktop = await signedInPage('desktop', 'olivia@example.com', '');
    const { page } = desktop;

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }).click();
    await page.getByRole('heading', { name: 'Members', level: 1 }).waitFor();
    await page.getByText('1 of 3 members', { exact: true }).waitFor();
    expect(await page.getByRole('row').filter({ hasText: 'olivia@example.com' }).textContent()).toContain('Owner');

    await page.getByLabel('Email').fill('ben@example.com');
    await page.getByRole('button', { name: 'Invite' }).click();
    await status(page, 'ben@example.com is now a member').waitFor();
    await page.getByText('2 of 3 members', { exact: true }).waitFor();

    await page.getByLabel('Email').fill('cyd@example.com');
    await page.getByLabel('Role').selectOption('admin');
    await page.getByRole('button', { name: 'Invite' }).click();
    await status(page, 'cyd@example.com is now a member').waitFor();
    await page.getByText('3 of 3 members', { exact: true }).waitFor();
    expect(await page.getByRole('row').filter({ hasText: 'cyd@example.com' }).textContent()).toContain('Admin');
    expect(await page.getByLabel('Email').inputValue()).toBe('');
    await studio.check(desktop, 'members-full');

    await page.getByLabel('Email').fill('dee@example.com');
    await page.getByRole('button', { name: 'Invite' }).click();

    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe(
      'Could not invite dee@example.com: the org is full. An org may have at most 3 members. The free plan counts the owner too, and members cannot be removed in Studio yet.',
    );
    expect(await page.getByRole('row').count()).toBe(4); // the header and the three members
    await studio.check(desktop, 'members-limit');
    expect(desktop.problems).toEqual([]);

    // Ben, invited as a member, signs in to this org: he sees the members, but no invite form and no keys.
    const phone = await signedInPage('phone', 'ben@example.com', 'members');
    await phone.page.getByText('3 of 3 members', { exact: true }).waitFor();
    await phone.page.getByText('Only owners and admins invite members. Your role here: Member.').waitFor();
    expect(await phone.page.getByRole('button', { name: 'Invite' }).count()).toBe(0);
    await studio.check(phone, 'members-as-member');
    await phone.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
    await phone.page.getByText('Only owners and admins see and manage API keys.', { exact: false }).waitFor();
    expect(await phone.page.getByRole('button', { name: 'Create key' }).count()).toBe(0);
    expect(phone.problems).toEqual([]);
  });

  it('shows a new API key’s secret once, copies it, and revokes the key: the API then refuses it', async () => {
    const owner = await studio.api.login('kim@example.com');
    const desktop = await signedInPage('desktop', 'kim@example.com', 'api-keys');
    const { page } = desktop;
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
    await page.getByText('This org has no API keys.').waitFor();
    await studio.check(desktop, 'api-keys-empty');

    await page.getByLabel('Name').fill('CI pipeline');
    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog', { name: 'API key “CI pipeline” created' });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('you will not see it again');
    const secret = await dialog.getByLabel(/^Secret/).inputValue();
    expect(secret).toMatch(/^ask-[\w-]{20,}$/);
    await dialog.getByRole('button', { name: 'Copy' }).click();
    await status(page, 'Copied to the clipboard.').waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);
    await studio.check(desktop, 'api-keys-secret');

    // The copied secret works against the API, as a program would send it.
    const listAgents = () => studio.api.request(`/orgs/${owner.org}/agents`, { apiKey: secret });
    expect((await listAgents()).status).toBe(200);

    await dialog.getByRole('button', { name: 'I have stored it — close' }).click();
    await dialog.waitFor({ state: 'detached' });
    const row = page.getByRole('row').filter({ hasText: 'CI pipeline' });
    expect(await row.textContent()).toContain(secret.slice(0, 8));
    // Used once above, while the dialog was open: the list, reloaded on close, says when.
    await expect
      .poll(() => row.locator('td[data-label="Last used"]').textContent())
      .toBe(new Date().toISOString().slice(0, 10));
    // Once closed, the secret is nowhere in the page: neither in the HTML nor in a field.
    expect(await page.content()).not.toContain(secret);
    expect(await page.locator('body').innerText()).not.toContain(secret);
    await studio.check(desktop, 'api-keys-list');

    await page.getByRole('button', { name: 'Revoke CI pipeline' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke “CI pipeline”?' });
    await confirm.waitFor();
    await studio.check(desktop, 'api-keys-revoke-confirm');
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect((await listAgents()).status).toBe(200);
    await page.getByRole('button', { name: 'Revoke CI pipeline' }).click();
    await confirm.getByRole('button', { name: 'Revoke key' }).click();

    await status(page, 'The key “CI pipeline” is revoked').waitFor();
    await page.getByText('This org has no API keys.').waitFor();
    expect((await listAgents()).status).toBe(401);
    expect(desktop.problems).toEqual([]);
  });

  it('falls back to selecting the secret when the browser refuses the clipboard', async () => {
    await studio.api.login('lee@example.com');
    const phone = await signedInPage('phone', 'lee@example.com', 'api-keys');
    const { page, problems } = phone;
    await page.getByLabel('Name').fill('Phone key');
    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog', { name: 'API key “Phone key” created' });
    await dialog.waitFor();
    await page.evaluate(
      "navigator.clipboard.writeText = () => Promise.reject(new DOMException('denied', 'NotAllowedError'))",
    );

    await dialog.getByRole('button', { name: 'Copy' }).click();

    await status(page, 'the secret is selected, press Ctrl+C').waitFor();
    await studio.check(phone, 'api-keys-secret');
    const secret = await dialog.getByLabel(/^Secret/).inputValue();
    expect(
      await page.evaluate(
        'window.getSelection().toString() || document.activeElement.value.slice(document.activeElement.selectionStart, document.activeElement.selectionEnd)',
      ),
    ).toBe(secret);

    // Escape closes the dialog like its button does, and the secret goes with it.
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(secret);
    expect(await page.getByRole('row').filter({ hasText: 'Phone key' }).count()).toBe(1);
    expect(problems).toEqual([]);
  });

  it('saves provider keys masked, deletes one with a confirm, and charts the runs of the day against the limit', async () => {
    const owner = await studio.api.signIn('nia@example.com');
    const desktop = await signedInPage('desktop', 'nia@example.com', 'providers');
    const { page } = desktop;
    await page.getByRole('heading', { name: 'Provider keys', level: 1 }).waitFor();
    await page.getByText('No provider key yet').waitFor();
    const openAiKey = 'sk-test-0123456789abcdefghijWXYZ';

    // An openai key pointing at the fake provider: the runs below are answered by it.
    await page.getByLabel('Provider', { exact: true }).selectOption('openai');
    await page.getByLabel('API key').fill(openAiKey);
    await page.getByLabel('Base URL (optional)').fill(fake.baseUrl);
    await page.getByRole('button', { name: 'Save key' }).click();
    await status(page, 'The OpenAI key is saved').waitFor();

    const openAiRow = page.getByRole('row').filter({ hasText: 'OpenAI' });
    expect(await openAiRow.textContent()).toContain('sk-...WXYZ');
    expect(await openAiRow.textContent()).toContain(fake.baseUrl);
    expect(await page.getByLabel('API key').inputValue()).toBe('');
    expect(await page.getByLabel('API key').getAttribute('type')).toBe('password');
    expect(await page.content()).not.toContain(openAiKey);
    expect(await page.content()).not.toContain('0123456789abcdef');
    await studio.check(desktop, 'providers-saved');

    await page.getByLabel('Provider', { exact: true }).selectOption('groq');
    await page.getByLabel('API key').fill('gsk_0123456789abcdefghijklmn');
    // A URL the browser's own check lets through, which the API refuses: credentials would be shown unmasked.
    await page.getByLabel('Base URL (optional)').fill('http://user:pw@example.com');
    await page.getByRole('button', { name: 'Save key' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(
      /^Could not save the Groq key: the base URL must be .*no user name or password/,
    );
    expect(await page.getByLabel('Base URL (optional)').getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Base URL (optional)').fill('');
    await page.getByRole('button', { name: 'Save key' }).click();
    await status(page, 'The Groq key is saved').waitFor();

    await page.getByRole('button', { name: 'Delete the Groq key' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete the Groq key?' });
    await confirm.waitFor();
    await studio.check(desktop, 'providers-delete-confirm');
    await confirm.getByRole('button', { name: 'Delete key' }).click();
    await status(page, 'The Groq key is deleted').waitFor();
    expect(await page.getByRole('row').filter({ hasText: 'Groq' }).count()).toBe(0);
    expect(((await (await owner.as('/providers')).json()) as { providers: unknown[] }).providers).toHaveLength(1);

    // Three real runs through the fake provider; a test run (the playground's default) is not counted.
    expect((await owner.as('/agents', post(aSupportBot))).status).toBe(201);
    expect((await owner.as('/agents/support-bot/deploy', post())).status).toBe(200);
    for (let run = 0; run < 3; run++) {
      expect((await owner.as('/agents/support-bot/run', post({ query: `question ${run}` }))).status).toBe(200);
    }
    expect((await owner.as('/agents/support-bot/test', post({ query: 'not counted' }))).status).toBe(200);
    const budget = { method: 'PUT', body: JSON.stringify({ limit_usd: 25 }) };
    expect((await owner.as('/budgets/monthly-spend', budget)).status).toBe(200);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Usage' }).click();
    await page.getByRole('heading', { name: 'Usage', level: 1 }).waitFor();
    const chart = page.getByRole('img', { name: 'Runs per day, last 30 days' });
    await chart.waitFor();
    const bars = chart.locator('rect.bar');
    expect(await bars.count()).toBe(30);
    const today = chart.locator('rect.bar-today');
    expect(await today.getAttribute('data-date')).toBe(new Date().toISOString().slice(0, 10));
    expect(await today.getAttribute('data-runs')).toBe('3');
    expect(Number(await today.getAttribute('height'))).toBeGreaterThan(0);
    expect(await chart.locator('.limit').textContent()).toBe('daily limit 1,000');
    expect(await page.locator('#total-runs').textContent()).toBe('3');
    expect(Number((await page.locator('#total-tokens').textContent())?.replace(/,/g, ''))).toBeGreaterThan(0);
    // Three runs of gpt-4o-mini ($0.15 / $0.60 per 1M tokens), 10 tokens in and 20 out each.
    const costOfThreeRuns = '$0.0000405';
    expect(await page.locator('#total-cost').textContent()).toBe(costOfThreeRuns);
    expect(await page.locator('#monthly-spend').textContent()).toBe(
      `${costOfThreeRuns} of the $25.00 monthly budget spent (UTC month).`,
    );
    const agentRow = page.getByRole('row').filter({ hasText: 'support-bot' });
    expect(await agentRow.locator('td').first().textContent()).toBe('3');
    expect(await agentRow.locator('td').nth(2).textContent()).toBe(costOfThreeRuns);
    await page.getByText('997 of 1,000 runs left today.').waitFor();
    await page.getByText(/The count starts again at midnight UTC, in \d+/).waitFor();
    await studio.check(desktop, 'usage');

    // Scaled to the busiest day, the three runs fill the plot and the limit line is above it.
    const heightOnLimitScale = Number(await today.getAttribute('height'));
    await page.getByLabel('Chart scale').selectOption('busiest-day');
    await expect.poll(async () => Number(await today.getAttribute('height'))).toBeGreaterThan(heightOnLimitScale * 10);
    expect(await chart.locator('.limit').count()).toBe(0);
    expect(await chart.locator('.limit-above').textContent()).toBe('daily limit 1,000: above this scale');
    await studio.check(desktop, 'usage-busiest-day');

    // The table alternative, and a shorter period.
    await page.getByText('Runs and tokens per day, as a table').click();
    const todayRow = page.getByRole('row').filter({ hasText: new Date().toISOString().slice(0, 10) });
    expect(await todayRow.locator('td').first().textContent()).toBe('3');
    expect(await todayRow.locator('td').nth(2).textContent()).toBe(costOfThreeRuns);
    await page.getByRole('spinbutton', { name: /^Period/ }).fill('0');
    await page.getByRole('button', { name: 'Show' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'The period must be a whole number of days from 1 to 90.' })
      .waitFor();
    await page.getByRole('spinbutton', { name: /^Period/ }).fill('7');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByRole('img', { name: 'Runs per day, last 7 days' }).waitFor();
    expect(await page.getByRole('img', { name: 'Runs per day, last 7 days' }).locator('rect.bar').count()).toBe(7);
    await studio.check(desktop, 'usage-7-days');
    expect(desktop.problems).toEqual([]);

    // The same org at phone width: every org page, photographed and scanned.
    const phone = await signedInPage('phone', 'nia@example.com', 'usage');
    await phone.page.getByRole('img', { name: 'Runs per day, last 30 days' }).waitFor();
    await phone.page.getByText('997 of 1,000 runs left today.').waitFor();
    await studio.check(phone, 'usage');
    for (const [path, heading] of [
      ['members', 'Members'],
      ['api-keys', 'API keys'],
      ['providers', 'Provider keys'],
    ] as const) {
      await phone.page.goto(`${studio.studioUrl}${path}`);
      await phone.page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await phone.page.getByRole('button', { name: /^(Invite|Create key|Save key)$/ }).waitFor();
      await studio.check(
        phone,
        path === 'members' ? 'members' : path === 'api-keys' ? 'api-keys-empty' : 'providers-saved',
      );
    }
    expect(phone.problems).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-provider.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { aSupportBot } from '../support/a-support-bot.ts';
import { post } from '../support/post.ts';
import type { SignedIn } from '../support/start-test-api.ts';
import {
  anOrgWithAFakeOpenAiKey,
  type StudioBrowser,
  type StudioPage,
  startStudioBrowser,
  type Width,
} from './start-studio-browser.ts';

// Issue 14: a person signs in to Studio in a real chromium and drives an agent through its
// lifecycle on the Agents page; every page is scanned by axe-core and photographed at both widths.
describe('Studio: sign in and the Agents page, in a real browser', { timeout: 180_000 }, () => {
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

  /** The org of `email` (dev login makes it), with an openai key pointing at the fake and support-bot as a draft. */
  async function anOrgWithADraftAgent(email: string): Promise<SignedIn> {
    const owner = await anOrgWithAFakeOpenAiKey(studio.api, fake, email);
    expect((await owner.as('/agents', post({ ...aSupportBot, display_name: 'Support Bot' }))).status).toBe(201);
    return owner;
  }

  const card = ({ page }: StudioPage, label: string) => page.getByRole('listitem').filter({ hasText: label });

  it('deploys, pauses, explains a 409, keeps the session over a reload, deletes with a confirm and signs out', async () => {
    const owner = await anOrgWithADraftAgent('ada@example.com');
    const desktop = await studio.openPage('desktop');
    const { page } = desktop;

    await page.goto(studio.api.url); // `/` leads to Studio
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(page.url()).toBe(studio.studioUrl);
    await studio.check(desktop, 'sign-in');
    await studio.signIn(desktop, 'ada@example.com');

    const bot = card(desktop, 'Support Bot');
    await expect.poll(() => bot.locator('.badge').textContent(), { timeout: 10_000 }).toBe('Draft');
    await studio.check(desktop, 'agents-draft');

    await page.getByRole('button', { name: 'Deploy Support Bot' }).click();
    await page.getByRole('status').filter({ hasText: '“support-bot” is deployed' }).waitFor({ timeout: 90_000 });
    expect(await bot.locator('.badge').textContent()).toBe('Deployed');
    await studio.check(desktop, 'agents-deployed');

    await page.getByRole('button', { name: 'Pause Support Bot' }).click();
    await page.getByRole('status').filter({ hasText: 'is paused' }).waitFor({ timeout: 60_000 });
    expect(await bot.locator('.badge').textContent()).toBe('Paused');
    expect(await page.getByRole('button', { name: 'Pause Support Bot' }).count()).toBe(0);

    // A teammate deploys it behind this page's back: the page still offers Deploy, and the API's 409 is put in words.
    expect((await owner.as('/agents/support-bot/deploy', post())).status).toBe(200);
    await page.getByRole('button', { name: 'Deploy Support Bot' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('“support-bot” is already deployed — it was deployed elsewhere');
    await expect.poll(() => bot.locator('.badge').textContent(), { timeout: 10_000 }).toBe('Deployed');
    await studio.check(desktop, 'agents-conflict');

    await page.reload();
    await page.getByRole('heading', { name: 'Agents', level: 1 }).waitFor();
    expect(await bot.locator('.badge').textContent()).toBe('Deployed');
    // The session survives in the HttpOnly cookie alone: nothing a script can read holds a token.
    expect(await page.evaluate('[localStorage.length, sessionStorage.length, document.cookie]')).toEqual([0, 0, '']);

    await page.getByRole('button', { name: 'Delete Support Bot' }).click();
    const dialog = page.getByRole('dialog', { name: 'Delete “support-bot”?' });
    await dialog.waitFor();
    await studio.check(desktop, 'agents-delete-confirm');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    expect(await bot.count()).toBe(1);
    await page.getByRole('button', { name: 'Delete Support Bot' }).click();
    await dialog.getByRole('button', { name: 'Delete agent' }).click();
    await page.getByRole('status').filter({ hasText: '“support-bot” was deleted.' }).waitFor({ timeout: 60_000 });
    await page.getByText('This org has no agents yet.').waitFor();
    expect((await owner.as('/agents/support-bot')).status).toBe(404);
    await studio.check(desktop, 'agents-empty');

    // Signing out ends the session on the server and clears the cookie: a reload stays signed out.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(desktop.problems).toEqual([]);
  });

  it('signs in and lists the agents at phone width, usable by keyboard alone', async () => {
    await anOrgWithADraftAgent('grace@example.com');
    const phone = await studio.openPage('phone');
    const { page } = phone;

    await page.goto(`${studio.studioUrl}agents`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await studio.check(phone, 'sign-in');
    await page.keyboard.press('Tab');
    await page.keyboard.type('grace@example.com');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Agents', level: 1 }).waitFor();

    expect(await card(phone, 'Support Bot').locator('.badge').textContent()).toBe('Draft');
    await studio.check(phone, 'agents-draft');
    expect(phone.problems).toEqual([]);
  });

  it.each<Width>(['phone', 'desktop'])('shows a page-not-found page inside the shell at %s width', async (width) => {
    await studio.api.login(`nowhere-${width}@example.com`);
    const studioPage = await studio.openPage(width);
    await studioPage.page.goto(studio.studioUrl);
    await studio.signIn(studioPage, `nowhere-${width}@example.com`);

    await studioPage.page.goto(`${studio.studioUrl}no-such-page`);

    await studioPage.page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await studio.check(studioPage, 'not-found');
  });

  it('runs no inline script: the browser enforces the CSP Studio is served with', async () => {
    const studioPage = await studio.openPage('desktop');
    await studioPage.page.goto(studio.studioUrl);
    await studioPage.page.getByRole('heading', { name: 'Sign in' }).waitFor();

    await studioPage.page.evaluate(
      "document.body.append(Object.assign(document.createElement('script'), { textContent: 'window.inlineRan = true' }))",
    );

    expect(await studioPage.page.evaluate('window.inlineRan === true')).toBe(false);
    await expect.poll(() => studioPage.problems.join('\n')).toContain('Content Security Policy');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-provider.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { aSupportBot } from '../support/a-support-bot.ts';
import { post } from '../support/post.ts';
import { type StudioBrowser, type StudioPage, startStudioBrowser } from './start-studio-browser.ts';

// Issue 14, "test it as a person would": one person goes through the whole product in a real
// chromium, with nothing but what a person uses (labels, roles, visible words): sign in, build an
// agent through the 5-step wizard, meet the API's field error, add a provider key, deploy, chat
// in the playground with streamed tokens from a fake provider, pause, edit, redeploy, create and
// revoke an API key, see the usage chart count the runs, delete the agent. Every page is scanned
// by axe-core and photographed, at desktop width on the way and at phone width after.
describe('Studio: the whole journey of a person, in a real browser', { timeout: 420_000 }, () => {
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

  const check = (studioPage: StudioPage, name: string) => studio.check(studioPage, `journey-${name}`);

  it('signs in, builds, deploys, chats, pauses, edits, redeploys, manages an API key, reads usage and deletes', async () => {
    const desktop = await studio.openPage('desktop');
    const { page } = desktop;
    const status = (text: string | RegExp) => page.getByRole('status').filter({ hasText: text });
    const nav = (name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name });
    const stepHeading = (name: string) => page.getByRole('heading', { name, level: 2 });
    const wizardStep = (name: string) =>
      page.getByRole('navigation', { name: 'Wizard steps' }).getByRole('button', { name });

    // Sign in.
    await page.goto(studio.api.url);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await check(desktop, 'sign-in');
    await page.getByLabel('Email').fill('journey@example.com');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Agents', level: 1 }).waitFor();
    await page.getByText('This org has no agents yet.').waitFor();
    await check(desktop, 'agents-empty');

    // The wizard, all 5 steps: no provider key yet, and the picker says so.
    await page.getByRole('link', { name: 'New agent' }).first().click(); // the empty list's words offer it too
    await page.getByRole('heading', { name: 'New agent', level: 1 }).waitFor();
    expect(await page.getByLabel('Model provider').locator('option:checked').textContent()).toBe('openai — no key yet');
    await page.getByLabel('Model name', { exact: true }).fill('gpt-6-luna');
    await page.getByLabel('Name', { exact: true }).fill('support-bot');
    await page.getByLabel('Display name (optional)').fill('Support Bot');
    await check(desktop, 'wizard-1-model');
    await page.getByRole('button', { name: 'Create draft and continue' }).click();
    await stepHeading('Step 2 of 5: Prompt').waitFor();
    // A prompt only the API can tell is wrong (Liquid does not parse it): its error comes back onto the field.
    const prompt = page.getByLabel('System prompt');
    await prompt.fill('Help {% if %} with their order.');
    await page.getByLabel('Persona (optional)').fill('a support agent for Acme');
    await check(desktop, 'wizard-2-prompt');
    await page.getByRole('button', { name: 'Next: Tools' }).click();
    await expect.poll(() => prompt.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#wizard-system-prompt-error').textContent()).toMatch(/^template does not parse/);
    await check(desktop, 'wizard-field-error');
    await prompt.fill('Help {{ customer_name }} with their order.');
    await page.getByRole('button', { name: 'Next: Tools' }).click();
    await stepHeading('Step 3 of 5: Tools').waitFor();
    await page.getByRole('checkbox', { name: 'calculator' }).check();
    await check(desktop, 'wizard-3-tools');
    await page.getByRole('button', { name: 'Next: Memory' }).click();
    await stepHeading('Step 4 of 5: Memory').waitFor();
    await check(desktop, 'wizard-4-memory');
    await page.getByRole('button', { name: 'Next: Guardrails' }).click();
    await stepHeading('Step 5 of 5: Guardrails').waitFor();
    await page.getByLabel('Max tokens per answer').fill('500');
    await check(desktop, 'wizard-5-guardrails');
    await page.getByRole('button', { name: 'Next: Review' }).click();
    await stepHeading('Review and deploy').waitFor();
    await expect
      .poll(() => page.getByRole('region', { name: 'Compiled astromesh/v1 YAML' }).textContent())
      .toContain('name: calculator');
    await check(desktop, 'wizard-review');

    // A provider key, on its org page, pointing at the fake provider.
    await nav('Provider keys').click();
    await page.getByRole('heading', { name: 'Provider keys', level: 1 }).waitFor();
    await page.getByLabel('Provider', { exact: true }).selectOption('openai');
    await page.getByLabel('API key').fill('sk-journey-0123456789abcdefWXYZ');
    await page.getByLabel('Base URL (optional)').fill(fake.baseUrl);
    await page.getByRole('button', { name: 'Save key' }).click();
    await status('The OpenAI key is saved').waitFor();
    await check(desktop, 'provider-keys');

    // Deploy, from the wizard's review.
    await nav('Agents').click();
    await page.getByRole('link', { name: 'Edit Support Bot' }).click();
    await wizardStep('Review').click();
    await stepHeading('Review and deploy').waitFor();
    await expect
      .poll(() => page.getByRole('region', { name: 'Compiled astromesh/v1 YAML' }).textContent())
      .toContain('customer_name');
    await page.getByRole('button', { name: 'Deploy' }).click();
    await status('“support-bot” is deployed').waitFor({ timeout: 90_000 });
    await check(desktop, 'wizard-deployed');

    // The playground: a test run streams in word by word, then a real run.
    await nav('Agents').click();
    await page.getByRole('link', { name: 'Open the playground of Support Bot' }).click();
    await page.getByRole('heading', { name: 'Playground: Support Bot' }).waitFor();
    fake.enqueue(fakeReply.text('Your order ships on Monday, with tracking by email.', { chunkDelayMs: 300 }));
    await page.getByLabel('Message').fill('When does my order ship?');
    await page.getByRole('button', { name: 'Send' }).click();
    const answer = page.locator('.from-agent').last();
    await answer.getByText('Your order ships').waitFor();
    expect(await answer.textContent()).not.toContain('tracking by email.');
    await answer.getByText(/\d+ tokens · openai\/\S+ · \d+ ms/).waitFor();
    expect(await answer.textContent()).toContain('Your order ships on Monday, with tracking by email.');
    await page.getByRole('switch', { name: 'Count as real runs' }).check();
    await page.getByLabel('Message').fill('Thanks!');
    await page.getByRole('button', { name: 'Send' }).click();
    await page
      .locator('.run-facts')
      .nth(1)
      .getByText(/tokens/)
      .waitFor();
    await check(desktop, 'playground');

    // Pause, edit, redeploy.
    await page.getByRole('link', { name: '← All agents' }).click();
    await page.getByRole('button', { name: 'Pause Support Bot' }).click();
    await status('is paused').waitFor({ timeout: 60_000 });
    await check(desktop, 'agents-paused');
    await page.getByRole('link', { name: 'Edit Support Bot' }).click();
    await wizardStep('Prompt').click();
    await stepHeading('Step 2 of 5: Prompt').waitFor();
    await page.getByLabel('Persona (optional)').fill('a patient support agent for Acme');
    await wizardStep('Review').click(); // leaving the step saves it
    await expect
      .poll(() => page.getByRole('region', { name: 'Compiled astromesh/v1 YAML' }).textContent())
      .toContain('a patient support agent');
    await page.getByRole('button', { name: 'Deploy' }).click();
    await status('“support-bot” is deployed').waitFor({ timeout: 90_000 });

    // An API key: created, its secret shown once, revoked.
    await nav('API keys').click();
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
    await page.getByLabel('Name').fill('Journey key');
    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog', { name: 'API key “Journey key” created' });
    await dialog.waitFor();
    expect(await dialog.getByLabel(/^Secret/).inputValue()).toMatch(/^ask-/);
    await check(desktop, 'api-key-created');
    await dialog.getByRole('button', { name: 'I have stored it — close' }).click();
    await page.getByRole('button', { name: 'Revoke Journey key' }).click();
    await page
      .getByRole('dialog', { name: 'Revoke “Journey key”?' })
      .getByRole('button', { name: 'Revoke key' })
      .click();
    await status('The key “Journey key” is revoked').waitFor();
    await check(desktop, 'api-keys');

    // Usage: the one real run is counted; the test run is not.
    await nav('Usage').click();
    const chart = page.getByRole('img', { name: 'Runs per day, last 30 days' });
    await chart.waitFor();
    expect(await chart.locator('rect.bar-today').getAttribute('data-runs')).toBe('1');
    expect(await page.locator('#total-runs').textContent()).toBe('1');
    await check(desktop, 'usage');

    // Delete the agent.
    await nav('Agents').click();
    await page.getByRole('button', { name: 'Delete Support Bot' }).click();
    await page
      .getByRole('dialog', { name: 'Delete “support-bot”?' })
      .getByRole('button', { name: 'Delete agent' })
      .click();
    await status('“support-bot” was deleted.').waitFor({ timeout: 60_000 });
    await page.getByText('This org has no agents yet.').waitFor();
    await check(desktop, 'agents-deleted');
    expect(desktop.problems).toEqual([]);
  });

  it('shows every page usable and accessible at phone width', async () => {
    const owner = await studio.api.signIn('journey-phone@example.com');
    await owner.as('/providers', post({ provider: 'openai', api_key: 'sk-test', base_url: fake.baseUrl }));
    await owner.as('/agents', post({ ...aSupportBot, display_name: 'Support Bot' }));
    expect((await owner.as('/agents/support-bot/deploy', post())).status).toBe(200);
    const phone = await studio.openPage('phone');
    const { page } = phone;
    await page.goto(studio.studioUrl);
    await page.getByLabel('Email').fill('journey-phone@example.com');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Agents', level: 1 }).waitFor();
    await check(phone, 'agents');

    await page.getByRole('link', { name: 'View Support Bot' }).click();
    await page.getByRole('heading', { name: 'Review and deploy', level: 2 }).waitFor();
    await check(phone, 'wizard-review');
    await page.goto(`${studio.studioUrl}agents/support-bot/playground`);
    await page.getByLabel('Message').fill('Hello');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Hello from the fake provider.').waitFor();
    await check(phone, 'playground');
    for (const [link, heading] of [
      ['Provider keys', 'Provider keys'],
      ['API keys', 'API keys'],
      ['Members', 'Members'],
      ['Usage', 'Usage'],
    ] as const) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link }).click();
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      await check(phone, link.toLowerCase().replace(' ', '-'));
    }
    expect(phone.problems).toEqual([]);
  });
});

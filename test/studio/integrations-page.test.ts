import { createHmac } from 'node:crypto';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-provider.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { aMemberOf } from '../support/a-member-of.ts';
import { aSupportBot } from '../support/a-support-bot.ts';
import { anApiKeyOf } from '../support/an-api-key-of.ts';
import { eventually } from '../support/eventually.ts';
import { jsonOf } from '../support/json-of.ts';
import { post } from '../support/post.ts';
import type { SignedIn } from '../support/start-test-api.ts';
import {
  anOrgWithAFakeOpenAiKey,
  type StudioBrowser,
  type StudioPage,
  startStudioBrowser,
  type Width,
} from './start-studio-browser.ts';

/** What a webhook's sender does (README "Webhooks"), with node:crypto rather than the API's code. */
function deliver(url: string, secret: string, payload: unknown): Promise<Response> {
  const body = JSON.stringify({ payload });
  const timestamp = String(Math.floor(Date.now() / 1_000));
  const signature = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-astromesh-timestamp': timestamp,
      'x-astromesh-signature': `v1=${signature}`,
    },
    body,
  });
}

// Issue 16's integrations in Studio, in a real chromium against a real API: the snippets name the
// org's real URLs, schedules and webhooks are made and changed through the page, and a background
// run started through the API shows up with its answer. One API, one browser and one org for the file.
describe('Studio: an agent’s Integrations page, in a real browser', { timeout: 120_000 }, () => {
  let studio: StudioBrowser;
  let fake: FakeProvider;
  let owner: SignedIn;
  let memberEmail: string;
  let apiKey: string;

  beforeAll(async () => {
    [studio, fake] = await Promise.all([startStudioBrowser(), startFakeProvider('openai')]);
    owner = await anOrgWithAFakeOpenAiKey(studio.api, fake, 'iris@example.com');
    expect((await owner.as('/agents', post({ ...aSupportBot, display_name: 'Support Bot' }))).status).toBe(201);
    const [deployed, key, member] = await Promise.all([
      owner.as('/agents/support-bot/deploy', post()),
      anApiKeyOf(studio.api, { org: owner.org, token: owner.token, role: 'member' }),
      aMemberOf(studio.api, { org: owner.org, ownerToken: owner.token }),
    ]);
    expect(deployed.status).toBe(200);
    apiKey = key.secret;
    memberEmail = member.email;
  });
  afterAll(async () => {
    await fake?.close();
    await studio?.stop();
  });

  async function integrationsPage(width: Width, email = 'iris@example.com'): Promise<StudioPage> {
    const studioPage = await studio.openPage(width);
    await studio.signIn(studioPage, email);
    await studioPage.page.goto(`${studio.studioUrl}agents/support-bot/integrations`);
    await studioPage.page.getByRole('heading', { name: 'Integrations: Support Bot', level: 1 }).waitFor();
    return studioPage;
  }
  const status = (page: Page, text: string) => page.getByRole('status').filter({ hasText: text });
  const section = (page: Page, name: string) => page.getByRole('region', { name });

  it('is reached from the agent’s card and shows snippets with the org’s real URLs, which answer', async () => {
    const desktop = await studio.openPage('desktop');
    const { page } = desktop;
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write']);
    await studio.signIn(desktop, 'iris@example.com');

    // The agent's card links the page (the card, with that link, scanned like the rest).
    await studio.check(desktop, 'integrations-agents-card');
    await page.getByRole('link', { name: 'Integrations of Support Bot' }).click();
    await page.getByRole('heading', { name: 'Integrations: Support Bot', level: 1 }).waitFor();

    const orgUrl = `${studio.api.url}/api/v1/orgs/${owner.org}`;
    const urlOf = (id: string) => page.locator(`[data-snippet-url="${id}"]`).textContent();
    const codeOf = (id: string) => page.locator(`[data-snippet="${id}"]`).textContent();
    expect(await urlOf('openai')).toBe(`${orgUrl}/v1`);
    expect(await codeOf('openai')).toContain(`baseURL: '${orgUrl}/v1'`);
    expect(await codeOf('openai')).toContain("model: 'support-bot'");
    expect(JSON.parse((await codeOf('mcp')) ?? '').mcpServers.astromesh.url).toBe(`${orgUrl}/mcp`);
    expect(await urlOf('a2a')).toBe(`${orgUrl}/a2a/support-bot/.well-known/agent-card.json`);
    expect(await codeOf('background-run')).toContain(`'${orgUrl}/agents/support-bot/runs'`);
    expect(await page.getByRole('link', { name: 'create one on the API keys page' }).getAttribute('href')).toBe(
      '/studio/api-keys',
    );

    await page.getByRole('button', { name: 'Copy the OpenAI client (Chat Completions) snippet' }).click();
    await status(page, 'Copied.').waitFor();
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(await codeOf('openai'));

    // The URLs as shown answer an API key: the agent is a model, and it has an A2A card.
    const withKey = { headers: { 'x-api-key': apiKey } };
    const models = await jsonOf(await fetch(`${await urlOf('openai')}/models`, withKey));
    expect(models.data.map((model: { id: string }) => model.id)).toEqual(['support-bot']);
    expect((await fetch((await urlOf('a2a')) ?? '', withKey)).status).toBe(200);
    await studio.check(desktop, 'integrations');
    expect(desktop.problems).toEqual([]);
  });

  it('creates a schedule, shows a bad cron’s error at its field, pauses, resumes and deletes it', async () => {
    const desktop = await integrationsPage('desktop');
    const { page } = desktop;
    const schedules = section(page, 'Schedules');
    await schedules.getByText('This agent has no schedules.').waitFor();

    await schedules.getByLabel(/^Cron/).fill('every morning');
    await schedules.getByLabel('Query each tick runs').fill('Summarise yesterday’s orders');
    await schedules.getByRole('button', { name: 'Create schedule' }).click();

    const alert = schedules.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/^Could not create the schedule: the cron expression/);
    const cron = schedules.getByLabel(/^Cron/);
    expect(await cron.getAttribute('aria-invalid')).toBe('true');
    const describedBy = await cron.getAttribute('aria-describedby');
    expect(await page.locator(`#${describedBy}`).textContent()).toBe(await alert.textContent());
    await studio.check(desktop, 'integrations-schedule-error');

    await cron.fill('0 9 * * 1-5');
    await schedules.getByLabel('Time zone').fill('Europe/Paris');
    await schedules.getByRole('button', { name: 'Create schedule' }).click();
    await status(page, 'Schedule “0 9 * * 1-5” created').waitFor();
    const row = schedules.getByRole('row').filter({ hasText: '0 9 * * 1-5' });
    const [saved] = (await jsonOf(await owner.as('/agents/support-bot/schedules'))).schedules;
    expect(saved).toMatchObject({ cron: '0 9 * * 1-5', timezone: 'Europe/Paris', enabled: true });
    expect(saved.input).toEqual({ query: 'Summarise yesterday’s orders' });
    const rowText = await row.textContent();
    expect(rowText).toContain('Europe/Paris');
    expect(rowText).toContain('Summarise yesterday’s orders');
    expect(rowText).toContain(`${saved.next_run_at.slice(0, 19).replace('T', ' ')} UTC`);
    expect(rowText).toContain('Enabled');
    expect(await cron.getAttribute('aria-invalid')).toBeNull();
    await studio.check(desktop, 'integrations-schedule');

    await schedules.getByRole('button', { name: 'Pause the schedule 0 9 * * 1-5' }).click();
    await status(page, 'paused: it starts no runs until resumed').waitFor();
    expect(await row.textContent()).toContain('Paused');
    expect((await jsonOf(await owner.as(`/agents/support-bot/schedules/${saved.id}`))).enabled).toBe(false);
    await schedules.getByRole('button', { name: 'Resume the schedule 0 9 * * 1-5' }).click();
    await status(page, 'Schedule “0 9 * * 1-5” resumed.').waitFor();
    expect((await jsonOf(await owner.as(`/agents/support-bot/schedules/${saved.id}`))).enabled).toBe(true);

    await schedules.getByRole('button', { name: 'Delete the schedule 0 9 * * 1-5' }).click();
    await page
      .getByRole('dialog', { name: 'Delete the schedule “0 9 * * 1-5”?' })
      .getByRole('button', {
        name: 'Delete schedule',
      })
      .click();
    await status(page, 'deleted; its runs so far are kept').waitFor();
    await schedules.getByText('This agent has no schedules.').waitFor();
    expect((await jsonOf(await owner.as('/agents/support-bot/schedules'))).schedules).toEqual([]);
    expect(desktop.problems).toEqual([]);
  });

  it('creates a webhook and shows its secret once, rotates the secret and deletes the webhook', async () => {
    const desktop = await integrationsPage('desktop');
    const { page } = desktop;
    const webhooks = section(page, 'Webhooks');
    await webhooks.getByText('This agent has no webhooks.').waitFor();

    // A template that does not parse is the API's 422 naming it: marked at its field, nothing created.
    await webhooks.getByLabel('Name (optional)').fill('Shop orders');
    await webhooks.getByLabel(/^Query template/).fill('{% if %}');
    await webhooks.getByRole('button', { name: 'Create webhook' }).click();
    await webhooks
      .getByRole('alert')
      .filter({ hasText: /^Could not create the webhook: the template/ })
      .waitFor();
    expect(await webhooks.getByLabel(/^Query template/).getAttribute('aria-invalid')).toBe('true');
    expect((await jsonOf(await owner.as('/agents/support-bot/webhooks'))).webhooks).toEqual([]);

    await webhooks.getByLabel(/^Query template/).fill('New order: {{ payload.order }}');
    await webhooks.getByRole('button', { name: 'Create webhook' }).click();
    const created = page.getByRole('dialog', { name: 'Webhook “Shop orders” created' });
    await created.waitFor();
    expect(await created.textContent()).toContain('you will not see it again');
    const url = await created.getByLabel(/^URL/).inputValue();
    const secret = await created.getByLabel(/^Signing secret/).inputValue();
    expect(url).toMatch(new RegExp(`^${studio.api.url}/api/v1/hooks/[0-9a-f-]{36}$`));
    await studio.check(desktop, 'integrations-webhook-secret');
    // The secret as shown signs a call the API accepts: it starts a run.
    expect((await deliver(url, secret, { order: 1 })).status).toBe(202);

    await created.getByRole('button', { name: 'I have stored it — close' }).click();
    await created.waitFor({ state: 'detached' });
    const row = webhooks.getByRole('row').filter({ hasText: 'Shop orders' });
    expect(await row.textContent()).toContain(url);
    expect(await webhooks.getByLabel(/^Query template/).getAttribute('aria-invalid')).toBeNull();
    expect(await page.content()).not.toContain(secret);
    await studio.check(desktop, 'integrations-webhooks');

    await webhooks.getByRole('button', { name: 'Rotate the secret of Shop orders' }).click();
    const confirm = page.getByRole('dialog', { name: 'Rotate the secret of “Shop orders”?' });
    await confirm.getByLabel('Refuse the current secret at once (it leaked)').check();
    await confirm.getByRole('button', { name: 'Rotate secret' }).click();
    const rotated = page.getByRole('dialog', { name: 'New signing secret of “Shop orders”' });
    await rotated.waitFor();
    const newSecret = await rotated.getByLabel(/^Signing secret/).inputValue();
    expect(newSecret).not.toBe(secret);
    expect(await rotated.getByLabel(/^URL/).inputValue()).toBe(url);
    await page.keyboard.press('Escape');
    await rotated.waitFor({ state: 'detached' });
    expect(await page.content()).not.toContain(newSecret);
    expect((await deliver(url, secret, { order: 2 })).status).toBe(401);
    expect((await deliver(url, newSecret, { order: 3 })).status).toBe(202);

    await webhooks.getByRole('button', { name: 'Delete the webhook Shop orders' }).click();
    await page
      .getByRole('dialog', { name: 'Delete the webhook “Shop orders”?' })
      .getByRole('button', { name: 'Delete webhook' })
      .click();
    await status(page, 'The webhook “Shop orders” is deleted').waitFor();
    await webhooks.getByText('This agent has no webhooks.').waitFor();
    expect((await deliver(url, newSecret, { order: 4 })).status).toBe(401);
    expect(desktop.problems).toEqual([]);
  });

  it('lists a background run started through the API with its answer, and cancels a running one', async () => {
    const asKey = (path: string, init: RequestInit = {}) =>
      studio.api.request(`/orgs/${owner.org}${path}`, { ...init, apiKey });
    const isActive = (run: { status: string }) => run.status === 'queued' || run.status === 'running';
    // Runs the webhooks above started take the fake's default answer: let them end before queueing a hang.
    await eventually(
      async () => {
        const { runs } = await jsonOf(await asKey('/agents/support-bot/runs'));
        expect(runs.filter(isActive)).toEqual([]);
      },
      { timeoutMs: 30_000 },
    );
    const desktop = await integrationsPage('desktop');
    const { page } = desktop;
    const runs = section(page, 'Recent background runs');

    fake.enqueue(fakeReply.text('Three orders shipped yesterday.'));
    const started = await jsonOf(await asKey('/agents/support-bot/runs', post({ query: 'What shipped?' })));
    await runs.getByRole('button', { name: 'Refresh' }).click();
    const row = runs.locator(`tr[data-run-id="${started.id}"]`);
    await row.getByText('Succeeded', { exact: true }).waitFor();
    expect(await row.locator('td[data-label="Started by"]').textContent()).toBe('API');
    await row.getByText('Answer', { exact: true }).click();
    await row.getByText('Three orders shipped yesterday.').waitFor();
    await studio.check(desktop, 'integrations-runs');

    fake.enqueue(fakeReply.hang());
    const hanging = await jsonOf(await asKey('/agents/support-bot/runs', post({ query: 'Never answered' })));
    await runs.getByRole('button', { name: 'Refresh' }).click();
    const hangingRow = runs.locator(`tr[data-run-id="${hanging.id}"]`);
    await hangingRow.getByRole('button', { name: /^Cancel the run/ }).click();
    // The page asks again while a run is going, so the cancelled state shows without a refresh.
    await hangingRow.getByText('Cancelled', { exact: true }).waitFor();
    expect((await jsonOf(await asKey(`/runs/${hanging.id}`))).status).toBe('cancelled');
    expect(await hangingRow.locator('td[data-label="Outcome"]').textContent()).toBe('Cancelled before it answered.');
    expect(desktop.problems).toEqual([]);
  });

  it('shows a member the schedules and runs without forms, and why webhooks are hidden, at phone width', async () => {
    expect(
      (await owner.as('/agents/support-bot/schedules', post({ cron: '30 6 * * *', input: { query: 'Morning' } })))
        .status,
    ).toBe(201);
    const phone = await integrationsPage('phone', memberEmail);
    const { page } = phone;

    await section(page, 'Schedules').getByRole('row').filter({ hasText: '30 6 * * *' }).waitFor();
    await page.getByText('Only owners and admins create and change schedules. Your role here: member.').waitFor();
    await page.getByText('Only owners and admins see and manage webhooks. Your role here: member.').waitFor();
    expect(
      await page.getByRole('button', { name: /^(Create schedule|Create webhook|Pause the schedule)/ }).count(),
    ).toBe(0);
    await section(page, 'Recent background runs').getByRole('row').nth(1).waitFor();
    await studio.check(phone, 'integrations-as-member');
    expect(phone.problems).toEqual([]);

    const ownerPhone = await integrationsPage('phone');
    await section(ownerPhone.page, 'Schedules').getByRole('button', { name: 'Create schedule' }).waitFor();
    await studio.check(ownerPhone, 'integrations');
    expect(ownerPhone.problems).toEqual([]);
  });
});

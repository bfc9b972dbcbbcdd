import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMemberOf } from '../support/a-member-of.ts';
import { aSupportBot } from '../support/a-support-bot.ts';
import { jsonOf } from '../support/json-of.ts';
import { post } from '../support/post.ts';
import type { SignedIn } from '../support/start-test-api.ts';
import { type StudioBrowser, type StudioPage, startStudioBrowser, type Width } from './start-studio-browser.ts';

const token = 'od-live-secret-7f3a1234';

// The org's MCP tool servers in Studio (issue 16, items 2a and 7), in a real chromium against a
// real API: added, masked, refused at the field the API names, chosen for an agent in the wizard,
// kept while an agent chooses it, deleted once none does; members read. Nothing connects to the
// servers' URLs: saving a server or an agent that names it does not call it. One API, one browser
// and one org for the file.
describe('Studio: the MCP servers page and step 3 of the wizard, in a real browser', { timeout: 120_000 }, () => {
  let studio: StudioBrowser;
  let owner: SignedIn;
  let memberEmail: string;

  beforeAll(async () => {
    studio = await startStudioBrowser();
    owner = await studio.api.signIn('mona@example.com');
    const [created, member] = await Promise.all([
      owner.as('/agents', post(aSupportBot)),
      aMemberOf(studio.api, { org: owner.org, ownerToken: owner.token }),
    ]);
    expect(created.status).toBe(201);
    memberEmail = member.email;
  });
  afterAll(async () => {
    await studio?.stop();
  });

  async function signedIn(width: Width, email = 'mona@example.com'): Promise<StudioPage> {
    const studioPage = await studio.openPage(width);
    await studio.signIn(studioPage, email);
    return studioPage;
  }
  async function openServersPage({ page }: StudioPage) {
    await page.goto(`${studio.studioUrl}mcp-servers`);
    await page.getByRole('heading', { name: 'MCP servers', level: 1 }).waitFor();
  }
  async function openToolsStep({ page }: StudioPage) {
    await page.goto(`${studio.studioUrl}agents/support-bot/edit?step=tools`);
    await page.getByRole('heading', { name: 'Step 3 of 5: Tools' }).waitFor();
  }
  // Moving on saves the step; the next heading shows once the API has taken it.
  async function saveToolsStep(page: Page) {
    await page.getByRole('button', { name: 'Next: Memory' }).click();
    await page.getByRole('heading', { name: 'Step 4 of 5: Memory' }).waitFor();
  }
  const status = (page: Page, text: string) => page.getByRole('status').filter({ hasText: text });
  const serverRow = (page: Page, name: string) => page.getByRole('row').filter({ hasText: name });
  const listed = async () => (await jsonOf(await owner.as('/mcp-servers'))).mcp_servers;
  const chosenServers = async () =>
    (await jsonOf(await owner.as('/agents/support-bot'))).wizard_config.step3.mcp_servers ?? [];

  it('adds a server, shows a bad URL’s error at its field, masks the token and replaces the tools', async () => {
    const desktop = await signedIn('desktop');
    const { page } = desktop;

    // Without a server, step 3 leads to the page; the page is in the navigation.
    await openToolsStep(desktop);
    expect(await page.getByRole('link', { name: 'MCP servers page' }).getAttribute('href')).toBe('/studio/mcp-servers');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'MCP servers' }).click();
    await page.getByRole('heading', { name: 'MCP servers', level: 1 }).waitFor();
    await page.getByText('No MCP server yet').waitFor();
    await studio.check(desktop, 'mcp-servers-empty');

    await page.getByLabel('Name').fill('order-desk');
    await page.getByLabel('Streamable HTTP URL').fill('ftp://orders.example.com/mcp');
    await page.getByLabel('Token (optional)').fill(token);
    await page.getByLabel('Tools offered (optional)').fill('lookup_order, refund_order');
    await page.getByRole('button', { name: 'Add server' }).click();

    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/^Could not save the server “order-desk”: the URL must be an http/);
    const url = page.getByLabel('Streamable HTTP URL');
    expect(await url.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator(`#${await url.getAttribute('aria-describedby')}`).textContent()).toBe(
      await alert.textContent(),
    );
    expect(await listed()).toEqual([]);
    await studio.check(desktop, 'mcp-servers-url-error');

    await url.fill('https://orders.example.com/mcp');
    await page.getByRole('button', { name: 'Add server' }).click();
    await status(page, 'The server “order-desk” is added').waitFor();
    const row = serverRow(page, 'order-desk');
    expect(await row.locator('td[data-label="Token"]').textContent()).toBe('...1234');
    expect(await row.locator('td[data-label="Tools"]').textContent()).toBe('lookup_order, refund_order');
    expect(await row.locator('td[data-label="Used by"]').textContent()).toBe('no agent');
    expect(await page.getByLabel('Token (optional)').inputValue()).toBe('');
    expect(await page.getByLabel('Name').inputValue()).toBe('');
    expect(await page.content()).not.toContain(token);
    expect(await listed()).toMatchObject([
      {
        name: 'order-desk',
        url: 'https://orders.example.com/mcp',
        masked_token: '...1234',
        tools: ['lookup_order', 'refund_order'],
      },
    ]);
    await studio.check(desktop, 'mcp-servers-list');

    // A replace starts from the server; an empty token keeps the saved one, no tools offers all.
    await page.getByRole('button', { name: 'Replace the server order-desk' }).click();
    await page.getByRole('heading', { name: 'Replace “order-desk”' }).waitFor();
    expect(await page.getByLabel('Streamable HTTP URL').inputValue()).toBe('https://orders.example.com/mcp');
    await page.getByLabel('Tools offered (optional)').fill('');
    await page.getByRole('button', { name: 'Replace server' }).click();
    await status(page, 'The server “order-desk” is replaced').waitFor();
    expect(await row.locator('td[data-label="Tools"]').textContent()).toBe('all tools');
    expect(await listed()).toMatchObject([{ name: 'order-desk', masked_token: '...1234', tools: null }]);
    expect(desktop.problems).toEqual([]);
  });

  it('is chosen for an agent in step 3, kept while the agent chooses it, and deleted once none does', async () => {
    const desktop = await signedIn('desktop');
    const { page } = desktop;

    await openToolsStep(desktop);
    const choice = page.getByRole('checkbox', { name: 'order-desk' });
    await choice.check();
    await studio.check(desktop, 'mcp-servers-wizard-step-3');
    await saveToolsStep(page);
    expect(await chosenServers()).toEqual(['order-desk']);

    // Refused with the API's 409, which names the agent.
    await openServersPage(desktop);
    const row = serverRow(page, 'order-desk');
    expect(await row.locator('td[data-label="Used by"]').textContent()).toBe('support-bot');
    await page.getByRole('button', { name: 'Delete the server order-desk' }).click();
    await page
      .getByRole('dialog', { name: 'Delete the server “order-desk”?' })
      .getByRole('button', { name: 'Delete server' })
      .click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toBe(
      'Could not delete the server “order-desk”: the agent “support-bot” still chooses it. Untick it in step 3 of the wizard, then delete it.',
    );
    expect(await listed()).toHaveLength(1);
    await studio.check(desktop, 'mcp-servers-in-use');

    // The agent's link opens its step 3, which shows the server chosen; unticked, it is saved as none.
    await row.getByRole('link', { name: 'support-bot' }).click();
    await page.getByRole('heading', { name: 'Step 3 of 5: Tools' }).waitFor();
    expect(await choice.isChecked()).toBe(true);
    await choice.uncheck();
    await saveToolsStep(page);
    expect(await chosenServers()).toEqual([]);

    await openServersPage(desktop);
    await page.getByRole('button', { name: 'Remove token of order-desk' }).click();
    await status(page, 'The token of “order-desk” is removed').waitFor();
    expect(await row.locator('td[data-label="Token"]').textContent()).toBe('no token');
    expect(await listed()).toMatchObject([{ name: 'order-desk', masked_token: null, tools: null }]);

    await page.getByRole('button', { name: 'Delete the server order-desk' }).click();
    await page
      .getByRole('dialog', { name: 'Delete the server “order-desk”?' })
      .getByRole('button', { name: 'Delete server' })
      .click();
    await status(page, 'The server “order-desk” is deleted.').waitFor();
    await page.getByText('No MCP server yet').waitFor();
    expect(await listed()).toEqual([]);
    expect(desktop.problems).toEqual([]);
  });

  it('shows a member the servers, masked, and why there are no forms, at phone width', async () => {
    const saved = await owner.as('/mcp-servers/crm', {
      method: 'PUT',
      body: JSON.stringify({ url: 'https://crm.example.com/mcp', token: 'crm-live-token-abcdef-9876' }),
    });
    expect(saved.status).toBe(200);
    const phone = await signedIn('phone', memberEmail);
    const { page } = phone;

    await openServersPage(phone);
    const row = serverRow(page, 'crm');
    expect(await row.locator('td[data-label="Token"]').textContent()).toBe('...9876');
    expect(await row.locator('td[data-label="Tools"]').textContent()).toBe('all tools');
    await page.getByText('Only owners and admins add, replace and delete MCP servers').waitFor();
    expect(await page.getByRole('button', { name: /^(Add server|Delete the server|Remove token)/ }).count()).toBe(0);
    await studio.check(phone, 'mcp-servers-as-member');
    expect(phone.problems).toEqual([]);

    const ownerPhone = await signedIn('phone');
    await openServersPage(ownerPhone);
    await ownerPhone.page.getByRole('button', { name: 'Add server' }).waitFor();
    await studio.check(ownerPhone, 'mcp-servers');
    expect(ownerPhone.problems).toEqual([]);
  });
});

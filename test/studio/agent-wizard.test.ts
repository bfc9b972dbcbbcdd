import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-provider.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { jsonOf } from '../support/json-of.ts';
import { post } from '../support/post.ts';
import {
  anOrgWithAFakeOpenAiKey,
  type StudioBrowser,
  type StudioPage,
  startStudioBrowser,
} from './start-studio-browser.ts';

// Issue 14: a person builds an agent through the 5-step wizard in a real chromium, sees the API's
// field error on its control, fixes it, deploys, and pauses to edit. Every step is scanned by
// axe-core and photographed at both widths.
describe('Studio: the 5-step agent wizard, in a real browser', { timeout: 240_000 }, () => {
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

  const anOrgWithAnOpenAiKey = (email: string) => anOrgWithAFakeOpenAiKey(studio.api, fake, email);

  const stepHeading = ({ page }: StudioPage, name: string | RegExp) => page.getByRole('heading', { name, level: 2 });
  const focusedId = ({ page }: StudioPage) => page.evaluate('document.activeElement?.id');

  it('creates an agent through all 5 steps, shows the API’s field error, saves, deploys, and pauses to edit', async () => {
    const owner = await anOrgWithAnOpenAiKey('wizard@example.com');
    const catalogue = await jsonOf(await studio.api.request('/catalogue', { token: owner.token }));
    const desktop = await studio.openPage('desktop');
    const { page } = desktop;
    await studio.signIn(desktop, 'wizard@example.com');

    // Step 1: name and model. The provider list says which providers the org has a key for.
    await page.getByRole('link', { name: 'New agent' }).click();
    await page.getByRole('heading', { name: 'New agent', level: 1 }).waitFor();
    const provider = page.getByLabel('Model provider');
    expect(await provider.locator('option:checked').textContent()).toBe('openai — key saved');
    expect(await provider.locator('option[value="anthropic"]').textContent()).toBe('anthropic — no key yet');
    const modelName = page.getByLabel('Model name', { exact: true });
    expect(await modelName.inputValue()).toBe(catalogue.default_model?.replace(/^openai\//, '') ?? '');
    await page.getByLabel('Name', { exact: true }).fill('support-bot');
    await page.getByLabel('Display name (optional)').fill('Support Bot');
    await modelName.fill('wizard-model-1');
    await studio.check(desktop, 'wizard-1-model');
    await page.getByRole('button', { name: 'Create draft and continue' }).click();

    // Step 2: the prompt, with the variables it uses listed.
    await stepHeading(desktop, 'Step 2 of 5: Prompt').waitFor();
    expect(new URL(page.url()).pathname).toBe('/studio/agents/support-bot/edit');
    expect((await owner.as('/agents/support-bot')).status).toBe(200);
    await page.getByLabel('System prompt').fill('Help {{ customer_name }} with their order.\n\n{{ memory }}');
    await page.getByLabel('Persona (optional)').fill('a support agent for Acme');
    const variables = page.getByRole('region', { name: 'Variables this prompt uses' });
    await expect
      .poll(() => variables.locator('li').allTextContents())
      .toEqual(['customer_name from the run’s context', 'memory filled in by the runtime']);
    await studio.check(desktop, 'wizard-2-prompt');
    await page.getByRole('button', { name: 'Next: Tools' }).click();

    // Step 3: tools, each with its description and parameters.
    await stepHeading(desktop, 'Step 3 of 5: Tools').waitFor();
    await page.getByRole('checkbox', { name: 'calculator' }).check();
    await page.getByText('Parameters of calculator').click();
    await studio.check(desktop, 'wizard-3-tools');
    await page.getByRole('button', { name: 'Next: Memory' }).click();

    // Step 4: memory.
    await stepHeading(desktop, 'Step 4 of 5: Memory').waitFor();
    await page.getByRole('radio', { name: 'summary' }).check();
    await page.getByLabel('Window (turns)').fill('12');
    await studio.check(desktop, 'wizard-4-memory');
    await page.getByRole('button', { name: 'Next: Guardrails' }).click();

    // Step 5: guardrails and max tokens.
    await stepHeading(desktop, 'Step 5 of 5: Guardrails').waitFor();
    await page
      .getByRole('group', { name: /^Input guardrails/ })
      .getByRole('checkbox', { name: 'pii_filter' })
      .check();
    await page
      .getByRole('group', { name: /^Output guardrails/ })
      .getByRole('checkbox', { name: 'cost_limit' })
      .check();
    await page.getByLabel('Max tokens per answer').fill('800');
    await studio.check(desktop, 'wizard-5-guardrails');
    await page.getByRole('button', { name: 'Next: Review' }).click();

    // Review: the compiled YAML names the model.
    await stepHeading(desktop, 'Review and deploy').waitFor();
    const yaml = page.getByRole('region', { name: 'Compiled astromesh/v1 YAML' });
    await expect.poll(() => yaml.textContent()).toContain('model: wizard-model-1');
    expect(await yaml.textContent()).toContain('name: calculator');
    await studio.check(desktop, 'wizard-6-review');

    // A prompt the runtime refuses (Liquid does not parse it): only the API knows; its error is
    // listed on the review, and clicking it leads to the prompt, focused, with the error beside it.
    await page.getByRole('navigation', { name: 'Wizard steps' }).getByRole('button', { name: 'Prompt' }).click();
    await page.getByLabel('System prompt').fill('Help {% if %} with their order.');
    await page.getByRole('navigation', { name: 'Wizard steps' }).getByRole('button', { name: 'Review' }).click();
    await stepHeading(desktop, 'Review and deploy').waitFor();
    const issue = page
      .getByRole('alert')
      .getByRole('button', { name: /step2\.system_prompt: template does not parse/ });
    await issue.waitFor();
    expect(await page.getByRole('button', { name: 'Deploy' }).isDisabled()).toBe(true);
    await studio.check(desktop, 'wizard-review-issue');
    await issue.click();
    await stepHeading(desktop, 'Step 2 of 5: Prompt').waitFor();
    const prompt = page.getByLabel('System prompt');
    await expect.poll(() => focusedId(desktop)).toBe('wizard-system-prompt');
    expect(await prompt.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#wizard-system-prompt-error').textContent()).toMatch(/^template does not parse/);
    await studio.check(desktop, 'wizard-field-error');

    // Fixed, it saves itself; a reload keeps the draft.
    await prompt.fill('Help {{ customer_name }} with order {{ order_id }}.');
    await page.getByRole('status').filter({ hasText: 'Draft saved.' }).waitFor();
    expect(await prompt.getAttribute('aria-invalid')).toBeNull();
    await page.reload();
    await stepHeading(desktop, 'Step 2 of 5: Prompt').waitFor();
    expect(await page.getByLabel('System prompt').inputValue()).toBe(
      'Help {{ customer_name }} with order {{ order_id }}.',
    );
    const saved = await jsonOf(await owner.as('/agents/support-bot'));
    expect(saved.wizard_config).toMatchObject({
      display_name: 'Support Bot',
      step1: { model: 'openai/wizard-model-1' },
      step2: { persona: 'a support agent for Acme' },
      step3: { tools: ['calculator'] },
      step4: { memory_strategy: 'summary', window_size: 12 },
      step5: { input_guardrails: ['pii_filter'], output_guardrails: ['cost_limit'], max_tokens: 800 },
    });

    // Deploy from the review.
    await page.getByRole('navigation', { name: 'Wizard steps' }).getByRole('button', { name: 'Review' }).click();
    await expect.poll(() => yaml.textContent()).toContain('order_id');
    await page.getByRole('button', { name: 'Deploy' }).click();
    await page.getByRole('status').filter({ hasText: '“support-bot” is deployed' }).waitFor({ timeout: 90_000 });

    // Reopened, a deployed agent is read-only until paused.
    await page.goto(`${studio.studioUrl}agents`);
    await page.getByRole('link', { name: 'View Support Bot' }).click();
    await stepHeading(desktop, 'Review and deploy').waitFor();
    await page.getByRole('navigation', { name: 'Wizard steps' }).getByRole('button', { name: 'Prompt' }).click();
    expect(await page.getByLabel('Persona (optional)').isDisabled()).toBe(true);
    await studio.check(desktop, 'wizard-deployed-read-only');
    await page.getByRole('button', { name: 'Pause to edit' }).click();
    await page.getByRole('status').filter({ hasText: 'You can edit it now' }).waitFor({ timeout: 60_000 });
    await page.getByLabel('Persona (optional)').fill('a patient support agent for Acme');
    await page.getByRole('button', { name: 'Next: Tools' }).click();
    await stepHeading(desktop, 'Step 3 of 5: Tools').waitFor();
    await page.getByRole('status').filter({ hasText: 'Changes saved.' }).waitFor();
    const edited = await jsonOf(await owner.as('/agents/support-bot'));
    expect(edited).toMatchObject({
      status: 'paused',
      wizard_config: { step2: { persona: 'a patient support agent for Acme' } },
    });
    expect(desktop.problems).toEqual([]);
  });

  it('walks every step at phone width, by keyboard, with the name already taken shown on the name', async () => {
    const owner = await anOrgWithAnOpenAiKey('phone-wizard@example.com');
    expect((await owner.as('/agents', post({ name: 'taken-bot', step1: { model: 'openai/m' } }))).status).toBe(201);
    const phone = await studio.openPage('phone');
    const { page } = phone;
    await page.goto(`${studio.studioUrl}agents/new`);
    await studio.signIn(phone, 'phone-wizard@example.com');
    await page.goto(`${studio.studioUrl}agents/new`);
    await page.getByRole('heading', { name: 'New agent', level: 1 }).waitFor();

    // Enter in a field submits the step; a taken name comes back from the API onto the name field.
    await page.getByLabel('Name', { exact: true }).fill('taken-bot');
    await page.getByLabel('Model name', { exact: true }).fill('phone-model');
    await page.getByLabel('Name', { exact: true }).press('Enter');
    await page.locator('#wizard-name-error').waitFor();
    expect(await page.locator('#wizard-name-error').textContent()).toContain('already exists');
    await expect.poll(() => focusedId(phone)).toBe('wizard-name');
    await studio.check(phone, 'wizard-1-model');
    await page.keyboard.press('Control+A');
    await page.keyboard.type('phone-bot');
    await page.keyboard.press('Enter');

    for (const [heading, name] of [
      ['Step 2 of 5: Prompt', 'wizard-2-prompt'],
      ['Step 3 of 5: Tools', 'wizard-3-tools'],
      ['Step 4 of 5: Memory', 'wizard-4-memory'],
      ['Step 5 of 5: Guardrails', 'wizard-5-guardrails'],
    ] as const) {
      await stepHeading(phone, heading).waitFor();
      await expect.poll(() => focusedId(phone)).toBe('wizard-step-title');
      await studio.check(phone, name);
      await page.getByRole('button', { name: /^Next: / }).press('Enter');
    }
    await stepHeading(phone, 'Review and deploy').waitFor();
    await expect
      .poll(() => page.getByRole('region', { name: 'Compiled astromesh/v1 YAML' }).textContent())
      .toContain('model: phone-model');
    await studio.check(phone, 'wizard-6-review');

    // Leaving the page at once (before the autosave's pause) still saves what was typed.
    await page.getByRole('navigation', { name: 'Wizard steps' }).getByRole('button', { name: 'Prompt' }).click();
    await page.getByLabel('System prompt').fill('Typed just before leaving.');
    await page.getByRole('link', { name: 'All agents' }).click();
    await page.getByRole('heading', { name: 'Agents', level: 1 }).waitFor();
    await expect
      .poll(async () => (await jsonOf(await owner.as('/agents/phone-bot'))).wizard_config.step2.system_prompt)
      .toBe('Typed just before leaving.');
    expect(phone.problems).toEqual([]);
  });
});

import { load } from 'js-yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultModel, retiringModels } from '../../api/catalogue/suggested-models.ts';
import { jsonOf } from '../support/json-of.ts';
import { post } from '../support/post.ts';
import { startSignedInTestApi } from '../support/start-test-api.ts';

// Issue 14: Studio's wizard offers what GET /catalogue lists and shows what POST …/agents/compile
// answers. Both come from the code the API validates with; these tests hold them to it.
describe('the wizard catalogue and the compiled preview', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const setup = () => startSignedInTestApi((stop) => cleanups.push(stop));

  const aBot = (overrides: Record<string, unknown> = {}) => ({
    name: 'support-bot',
    step1: { model: 'openai/some-model' },
    step2: { system_prompt: 'Help {{ customer_name }} with their order.' },
    ...overrides,
  });

  it('lists every built-in tool with its description and JSON-schema parameters', async () => {
    const { api, token } = await setup();

    const catalogue = await jsonOf(await api.request('/catalogue', { token }));

    const calculator = catalogue.tools.find((tool: { name: string }) => tool.name === 'calculator');
    expect(calculator).toMatchObject({ description: expect.any(String), parameters: { type: 'object' } });
    expect(Object.keys(calculator.parameters.properties).length).toBeGreaterThan(0);
    expect(catalogue.providers.map((provider: { name: string }) => provider.name)).toEqual([
      'openai',
      'anthropic',
      'groq',
      'mistral',
      'cohere',
      'ollama',
    ]);
    expect(catalogue.memory).toMatchObject({
      types: ['conversational'],
      window_size: { min: 1, max: 200, default: 20 },
    });
    expect(catalogue.max_tokens).toEqual({ min: 1, max: 100_000, default: 1000 });
  });

  it('suggests current models under their provider and starts from the default model, all accepted by create', async () => {
    const { api, token, as } = await setup();

    const catalogue = await jsonOf(await api.request('/catalogue', { token }));

    expect(catalogue.default_model).toBe(defaultModel);
    const suggested: string[] = catalogue.providers.flatMap(
      (provider: { name: string; suggested_models: { model: string }[] }) =>
        provider.suggested_models.map(({ model }) => {
          expect(model.startsWith(`${provider.name}/`), model).toBe(true);
          return model;
        }),
    );
    expect(suggested).toContain(defaultModel);
    expect(suggested.filter((model) => retiringModels.some((retiring) => retiring.model === model))).toEqual([]);
    const created = await as('/agents', post(aBot({ step1: { model: defaultModel } })));
    expect(created.status).toBe(201);
  });

  it('offers nothing the API then refuses: an agent with every tool, guardrail and the widest window is created', async () => {
    const { api, token, as } = await setup();
    const catalogue = await jsonOf(await api.request('/catalogue', { token }));
    const names = (choices: { name: string }[]) => choices.map((choice) => choice.name);

    const created = await as(
      '/agents',
      post(
        aBot({
          step3: { tools: names(catalogue.tools) },
          step4: {
            memory_type: catalogue.memory.types[0],
            memory_strategy: catalogue.memory.strategies.at(-1).name,
            window_size: catalogue.memory.window_size.max,
          },
          step5: {
            input_guardrails: names(catalogue.guardrails.input),
            output_guardrails: names(catalogue.guardrails.output),
            max_tokens: catalogue.max_tokens.max,
          },
        }),
      ),
    );

    expect(created.status).toBe(201);
    // …and one past the bounds it gives is refused, naming the field.
    const tooWide = await as('/agents/support-bot', {
      method: 'PUT',
      body: JSON.stringify({ step4: { window_size: catalogue.memory.window_size.max + 1 } }),
    });
    expect(tooWide.status).toBe(400);
    expect((await jsonOf(tooWide)).message).toMatch(/^step4\.window_size: /);
  });

  it('answers 401 to a caller without credentials', async () => {
    const { api } = await setup();

    const response = await api.request('/catalogue');

    expect(response.status).toBe(401);
  });

  it('compiles a WizardConfig to astromesh/v1 YAML naming the model, and saves nothing', async () => {
    const { as, org } = await setup();

    const response = await as('/agents/compile', post(aBot({ step3: { tools: ['calculator'] } })));
    const preview = await jsonOf(response);

    expect(response.status).toBe(200);
    expect(preview.issues).toEqual([]);
    expect(load(preview.yaml)).toMatchObject({
      apiVersion: 'astromesh/v1',
      kind: 'Agent',
      metadata: { name: `${org}__support-bot` },
      spec: {
        model: { primary: { provider: 'openai', model: 'some-model' } },
        prompts: { system: 'Help {{ customer_name }} with their order.' },
        tools: [{ name: 'calculator', type: 'builtin' }],
      },
    });
    expect((await as('/agents/support-bot')).status).toBe(404);
  });

  it('lists what the runtime would refuse by wizard field, as create then answers 422', async () => {
    const { as } = await setup();
    const broken = aBot({ step2: { system_prompt: 'Hello {% if %}' } });

    const preview = await jsonOf(await as('/agents/compile', post(broken)));
    const created = await as('/agents', post(broken));

    expect(preview.issues).toEqual([
      { field: 'step2.system_prompt', message: expect.stringContaining('template does not parse') },
    ]);
    expect(preview.yaml).toContain('Hello {% if %}');
    expect(created.status).toBe(422);
    expect((await jsonOf(created)).message).toMatch(/^step2\.system_prompt: template does not parse/);
  });

  it('answers 400 naming the field for a body the WizardConfig schema refuses, never 500', async () => {
    const { as } = await setup();

    const unknownTool = await as('/agents/compile', post(aBot({ step3: { tools: ['calculator', 'teleport'] } })));
    const badModel = await as('/agents/compile', post(aBot({ step1: { model: 'no-provider' } })));
    const notAnObject = await as('/agents/compile', { method: 'POST', body: '[1]' });

    expect(unknownTool.status).toBe(400);
    expect((await jsonOf(unknownTool)).message).toMatch(/^step3\.tools\[1\]: must be a built-in tool/);
    expect(badModel.status).toBe(400);
    expect((await jsonOf(badModel)).message).toMatch(/^step1\.model: /);
    expect(notAnObject.status).toBe(400);
  });

  it('never shows a secret: the org’s provider key and base URL stay out of the YAML', async () => {
    const { as } = await setup();
    const secret = 'sk-wizard-preview-secret-0123456789';
    const baseUrl = 'http://127.0.0.1:9/private-gateway-v1';
    expect((await as('/providers', post({ provider: 'openai', api_key: secret, base_url: baseUrl }))).status).toBe(200);

    const preview = await jsonOf(await as('/agents/compile', post(aBot())));

    expect(preview.yaml).not.toContain(secret);
    expect(preview.yaml).not.toContain('0123456789');
    expect(preview.yaml).not.toContain('private-gateway');
  });

  it('refuses a caller who is not a member of the org with 403', async () => {
    const { api, org } = await setup();
    const stranger = await api.login('stranger@example.com');

    const response = await api.request(`/orgs/${org}/agents/compile`, { ...post(aBot()), token: stranger.token });

    expect(response.status).toBe(403);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { jsonOf } from '../support/json-of.ts';
import { startSignedInTestApi } from '../support/start-test-api.ts';

const supportBot = {
  name: 'support-bot',
  display_name: 'Support Bot',
  step1: { model: 'openai/gpt-4o-mini' },
  step2: { system_prompt: 'You are a helpful support agent.' },
};

describe('agents and their lifecycle', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  const setup = () => startSignedInTestApi((stop) => cleanups.push(stop));

  const post = (body?: unknown): RequestInit => ({
    method: 'POST',
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

  it('creates a draft with the documented defaults', async () => {
    const { as } = await setup();

    const response = await as('/agents', post(supportBot));
    const agent = await jsonOf(response);

    expect(response.status).toBe(201);
    expect(agent).toMatchObject({
      name: 'support-bot',
      status: 'draft',
      model: 'openai/gpt-4o-mini',
      deployed_at: null,
    });
    expect(agent.wizard_config).toMatchObject({
      step3: { tools: [] },
      step4: { memory_type: 'conversational', memory_strategy: 'sliding_window', window_size: 20 },
      step5: { input_guardrails: [], output_guardrails: [], max_tokens: 1000 },
    });
  });

  it('deploys, pauses and redeploys, answering 409 for a transition to the current state', async () => {
    const { as, org } = await setup();
    await as('/agents', post(supportBot));

    const deployed = await jsonOf(await as('/agents/support-bot/deploy', post()));
    const again = await as('/agents/support-bot/deploy', post());
    const paused = await jsonOf(await as('/agents/support-bot/pause', post()));
    const pausedAgain = await as('/agents/support-bot/pause', post());
    const redeployed = await as('/agents/support-bot/deploy', post());

    expect(deployed).toEqual({
      status: 'deployed',
      agent_id: `${org}__support-bot`,
      deployed_at: expect.any(String),
      version: 1,
    });
    expect(again.status).toBe(409);
    expect(paused).toEqual({ status: 'paused', paused_at: expect.any(String) });
    expect(pausedAgain.status).toBe(409);
    expect(redeployed.status).toBe(200);
  });

  it('lists agents with their status and model', async () => {
    const { as } = await setup();
    await as('/agents', post(supportBot));
    await as('/agents', post({ name: 'faq-bot', step1: { model: 'anthropic/claude-3-5-haiku-latest' } }));

    const body = await jsonOf(await as('/agents'));

    expect(
      body.agents.map((agent: { name: string; status: string; model: string }) => [
        agent.name,
        agent.status,
        agent.model,
      ]),
    ).toEqual([
      ['support-bot', 'draft', 'openai/gpt-4o-mini'],
      ['faq-bot', 'draft', 'anthropic/claude-3-5-haiku-latest'],
    ]);
  });

  it('answers 400 naming the field for an invalid WizardConfig', async () => {
    const { as } = await setup();

    const badName = await as('/agents', post({ ...supportBot, name: 'Support Bot' }));
    const badModel = await as('/agents', post({ ...supportBot, step1: { model: 'gpt-4o' } }));
    const badGuardrail = await as('/agents', post({ ...supportBot, step5: { input_guardrails: ['mind_control'] } }));

    expect(await jsonOf(badName)).toMatchObject({
      error: 'invalid_request',
      status: 400,
      message: expect.stringMatching(/^name: /),
    });
    expect(await jsonOf(badModel)).toMatchObject({
      status: 400,
      message: expect.stringMatching(/^step1\.model: must be provider\/model/),
    });
    expect(await jsonOf(badGuardrail)).toMatchObject({
      status: 400,
      message: expect.stringMatching(/^step5\.input_guardrails\[0\]: /),
    });
  });

  it('answers 400 naming the wizard field for a tool the runtime does not offer', async () => {
    const { as } = await setup();

    const response = await as('/agents', post({ ...supportBot, step3: { tools: ['calculator', 'teleport'] } }));

    expect(response.status).toBe(400);
    expect(await jsonOf(response)).toMatchObject({
      error: 'invalid_request',
      message: expect.stringMatching(/^step3\.tools\[1\]: must be a built-in tool: .*calculator/),
    });
  });

  it('answers 409 for a second agent of the same name', async () => {
    const { as } = await setup();
    await as('/agents', post(supportBot));

    const response = await as('/agents', post(supportBot));

    expect(response.status).toBe(409);
    expect(await jsonOf(response)).toMatchObject({ error: 'agent_exists' });
  });

  it('allows 5 agents per org and refuses the sixth', async () => {
    const { as } = await setup();
    for (let i = 1; i <= 5; i++)
      await as('/agents', post({ name: `bot-${i}`, step1: { model: 'openai/gpt-4o-mini' } }));

    const sixth = await as('/agents', post({ name: 'bot-6', step1: { model: 'openai/gpt-4o-mini' } }));

    expect(sixth.status).toBe(409);
    expect(await jsonOf(sixth)).toMatchObject({ error: 'agent_limit_reached' });
  });

  it('merges a partial PUT into the stored config', async () => {
    const { as } = await setup();
    await as('/agents', post({ ...supportBot, step3: { tools: ['calculator'] } }));

    const updated = await jsonOf(
      await as('/agents/support-bot', { method: 'PUT', body: JSON.stringify({ step2: { persona: 'Helper' } }) }),
    );

    expect(updated.wizard_config).toMatchObject({
      step1: { model: 'openai/gpt-4o-mini' },
      step2: { system_prompt: 'You are a helpful support agent.', persona: 'Helper' },
      step3: { tools: ['calculator'] },
    });
  });

  it('refuses to edit a deployed agent with 409, and allows it once paused', async () => {
    const { as } = await setup();
    await as('/agents', post(supportBot));
    await as('/agents/support-bot/deploy', post());
    const edit = { method: 'PUT', body: JSON.stringify({ step2: { system_prompt: 'Updated prompt.' } }) };

    const whileDeployed = await as('/agents/support-bot', edit);
    await as('/agents/support-bot/pause', post());
    const whilePaused = await as('/agents/support-bot', edit);

    expect(whileDeployed.status).toBe(409);
    expect(await jsonOf(whileDeployed)).toMatchObject({ error: 'agent_deployed' });
    expect(whilePaused.status).toBe(200);
  });

  it('refuses to rename an agent through PUT with 422 naming the field', async () => {
    const { as } = await setup();
    await as('/agents', post(supportBot));

    const response = await as('/agents/support-bot', { method: 'PUT', body: JSON.stringify({ name: 'other-bot' }) });

    expect(response.status).toBe(422);
    expect(await jsonOf(response)).toMatchObject({
      message: expect.stringMatching(/^name: an agent cannot be renamed/),
    });
  });

  it('answers 409 when pausing a draft', async () => {
    const { as } = await setup();
    await as('/agents', post(supportBot));

    const response = await as('/agents/support-bot/pause', post());

    expect(response.status).toBe(409);
    expect(await jsonOf(response)).toMatchObject({ error: 'agent_not_deployed' });
  });

  it('serves a deployed agent from the org runtime and stops serving it once paused', async () => {
    const { api, as, org } = await setup();
    await as('/agents', post(supportBot));

    await as('/agents/support-bot/deploy', post());
    const endpoint = await api.api.backend.endpointOf(org);
    const served = await jsonOf(
      await fetch(`${endpoint?.baseUrl}/v1/agents`, { headers: { authorization: `Bearer ${endpoint?.token}` } }),
    );
    await as('/agents/support-bot/pause', post());

    expect(served.agents).toEqual([expect.objectContaining({ name: `${org}__support-bot`, status: 'ready' })]);
    expect(await api.api.backend.endpointOf(org)).toBeUndefined();
  });

  it('deletes an agent in any state, undeploying it first', async () => {
    const { api, as, org } = await setup();
    await as('/agents', post(supportBot));
    await as('/agents', post({ name: 'draft-bot', step1: { model: 'openai/gpt-4o-mini' } }));
    await as('/agents/support-bot/deploy', post());

    const deletedDeployed = await as('/agents/support-bot', { method: 'DELETE' });
    const deletedDraft = await as('/agents/draft-bot', { method: 'DELETE' });
    const after = await as('/agents/support-bot');

    expect([deletedDeployed.status, deletedDraft.status, after.status]).toEqual([204, 204, 404]);
    expect(await api.api.backend.endpointOf(org)).toBeUndefined();
  });

  it('answers 404 for an agent that does not exist', async () => {
    const { as } = await setup();

    const response = await as('/agents/ghost/deploy', post());

    expect(response.status).toBe(404);
    expect(await jsonOf(response)).toEqual({ error: 'not_found', message: "agent 'ghost' not found", status: 404 });
  });

  it('requires credentials for every agent route', async () => {
    const { api, org } = await setup();

    const response = await api.request(`/orgs/${org}/agents`);

    expect(response.status).toBe(401);
    expect(await jsonOf(response)).toMatchObject({ error: 'unauthorized', status: 401 });
  });
});

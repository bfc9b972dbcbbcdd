import { afterEach, describe, expect, it } from 'vitest';
import { jsonOf } from '../support/json-of.ts';
import { startTestApi, type TestApi } from '../support/start-test-api.ts';

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

  async function setup() {
    const api = await startTestApi();
    cleanups.push(() => api.stop());
    const { token, org } = await api.login();
    const as = (path: string, init: RequestInit = {}) => api.request(`/orgs/${org}${path}`, { ...init, token });
    return { api, token, org, as };
  }

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

    expect(deployed).toEqual({ status: 'deployed', agent_id: `${org}__support-bot`, deployed_at: expect.any(String) });
    expect(again.status).toBe(409);
    expect(paused).toEqual({ status: 'paused', paused_at: expect.any(String) });
    expect(pausedAgain.status).toBe(409);
    expect(redeployed.status).toBe(200);
  });
});

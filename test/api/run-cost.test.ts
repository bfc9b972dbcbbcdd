import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { loadApiConfig } from '../../api/config/api-config.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { jsonOf } from '../support/json-of.ts';
import { post } from '../support/post.ts';
import { startSignedInTestApi } from '../support/start-test-api.ts';

// Costs are whole nano-dollars (USD × 1e9) until the answer divides them by 1e9, so a run's
// cost_usd is exactly (input × input price + output × output price) × 1000 / 1e9 (price per 1M).
const usdOf = (tokensIn: number, inputPrice: number, tokensOut: number, outputPrice: number) =>
  Math.round(tokensIn * inputPrice * 1000 + tokensOut * outputPrice * 1000) / 1e9;

describe('the cost of a run', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** An org whose openai key points at a fake, with `model`'s agent deployed, each run using 1234 in / 567 out. */
  async function setupDeployed(model: string, env?: Record<string, string>) {
    const setup = await startSignedInTestApi((stop) => cleanups.push(stop), { env });
    const fake = await startFakeProvider('openai');
    cleanups.push(() => fake.close());
    const { as } = setup;
    await as('/providers', post({ provider: 'openai', api_key: 'sk-test-key', base_url: fake.baseUrl }));
    await as('/agents', post({ name: 'pricey', step1: { model }, step2: { system_prompt: 'Answer briefly.' } }));
    const deployed = await as('/agents/pricey/deploy', post());
    if (deployed.status !== 200) throw new Error(`deploy failed: ${JSON.stringify(await deployed.json())}`);
    const run = async () => {
      fake.enqueue(fakeReply.text('Priced.', { usage: { inputTokens: 1234, outputTokens: 567 } }));
      return jsonOf(await as('/agents/pricey/run', post({ query: 'How much?' })));
    };
    return { ...setup, run };
  }

  it('equals tokens × the table price, in the run answer and in the usage report', async () => {
    const { as, run } = await setupDeployed('openai/gpt-6-luna');
    // gpt-6-luna: $0.10 in, $0.50 out per 1M tokens.
    const cost = usdOf(1234, 0.1, 567, 0.5);
    expect(cost).toBe(0.0004069);

    const first = await run();
    await run();
    const usage = await jsonOf(await as('/usage?days=1'));

    expect(first).toMatchObject({ input_tokens: 1234, output_tokens: 567, tokens_used: 1801, cost_usd: cost });
    expect(usage).toMatchObject({
      total_requests: 2,
      total_cost_usd: 2 * cost,
      unpriced_runs: 0,
      by_agent: [{ agent: 'pricey', requests: 2, tokens: 3602, cost_usd: 2 * cost, unpriced_runs: 0 }],
      by_day: [{ requests: 2, cost_usd: 2 * cost, unpriced_runs: 0 }],
    });
  });

  it('follows ASTROMESH_MODEL_PRICES over the table', async () => {
    const prices = JSON.stringify({ 'openai/gpt-6-luna': { input: 2, output: 4 } });
    const { as, run } = await setupDeployed('openai/gpt-6-luna-2026-09-22', { ASTROMESH_MODEL_PRICES: prices });
    const cost = usdOf(1234, 2, 567, 4);

    const answer = await run();
    const usage = await jsonOf(await as('/usage?days=1'));

    expect(answer.cost_usd).toBe(cost);
    expect(usage).toMatchObject({ total_cost_usd: cost, unpriced_runs: 0 });
  });

  it('is null for a model nobody priced, counted as unpriced in the usage report', async () => {
    const { as, run } = await setupDeployed('openai/gpt-99-preview');

    const answer = await run();
    const usage = await jsonOf(await as('/usage?days=1'));

    expect(answer).toMatchObject({ model: 'openai/gpt-99-preview', input_tokens: 1234, cost_usd: null });
    expect(usage).toMatchObject({
      total_requests: 1,
      total_tokens: 1801,
      total_cost_usd: 0,
      unpriced_runs: 1,
      by_agent: [{ agent: 'pricey', cost_usd: 0, unpriced_runs: 1 }],
    });
  });

  it('refuses to start with a price table it cannot read, naming the variable and the key', () => {
    const secrets = {
      ASTROMESH_JWT_SECRET: randomBytes(48).toString('base64'),
      ASTROMESH_MASTER_KEY: randomBytes(32).toString('base64'),
    };
    const load = (value: string) => () => loadApiConfig({ ...secrets, ASTROMESH_MODEL_PRICES: value });

    expect(load('{"openai/gpt-6-luna": {"input": "cheap", "output": 0.5}}')).toThrow(
      /^ASTROMESH_MODEL_PRICES: 'openai\/gpt-6-luna' input:/,
    );
    expect(load('{"luna": {"input": 0.1, "output": 0.5}}')).toThrow(/^ASTROMESH_MODEL_PRICES: key 'luna'/);
    expect(loadApiConfig(secrets).modelPrices).toEqual({});
  });
});

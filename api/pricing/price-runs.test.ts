import { describe, expect, it } from 'vitest';
import { modelTraits } from '../../runtime/router/model-catalog.ts';
import type { NativeProvider } from '../../runtime/router/resolve-model-block.ts';
import { suggestedModels } from '../catalogue/suggested-models.ts';
import { modelPrices } from './model-prices.ts';
import { createRunPricing, usdOfNano } from './price-runs.ts';

describe('createRunPricing', () => {
  const pricing = createRunPricing();

  it('prices a run as tokens × the table price, in whole nano-dollars', () => {
    // gpt-6-luna: $0.10 in, $0.50 out per 1M tokens.
    const nano = pricing.costNanoUsdOf({ model: 'openai/gpt-6-luna', tokensIn: 1234, tokensOut: 567 });
    expect(nano).toBe(1234 * 100 + 567 * 500);
    expect(usdOfNano(nano)).toBe(0.0004069);
  });

  it('resolves a dated snapshot to its family and drops a vendor prefix', () => {
    expect(pricing.priceOf('openai/gpt-4o-mini-2024-07-18')).toEqual({ input: 0.15, output: 0.6 });
    expect(pricing.priceOf('openai/gpt-4o-2024-08-06')).toEqual({ input: 2.5, output: 10 });
    expect(pricing.priceOf('groq/openai/gpt-oss-20b')).toEqual({ input: 0.075, output: 0.3 });
    expect(pricing.priceOf('anthropic/claude-haiku-5-5-20260901')).toEqual({ input: 0.1, output: 0.5 });
  });

  it('prices every model the wizard suggests', () => {
    for (const model of Object.values(suggestedModels).flat())
      expect(pricing.priceOf(model.model), model.model).not.toBeNull();
  });

  it('agrees with the router’s ranking prices (input + output, to the cent they are rounded to)', () => {
    for (const [provider, models] of Object.entries(modelPrices))
      for (const [model, price] of Object.entries(models)) {
        const { costPerMillionTokens } = modelTraits({ provider: provider as NativeProvider, model });
        expect(Math.abs(costPerMillionTokens - (price.input + price.output)), `${provider}/${model}`).toBeLessThan(
          0.03,
        );
      }
  });

  it('leaves an unknown model unpriced rather than guessing', () => {
    expect(pricing.costNanoUsdOf({ model: 'openai/gpt-99-experimental', tokensIn: 10, tokensOut: 10 })).toBeNull();
    expect(pricing.costNanoUsdOf({ model: 'openai_compat/my-model', tokensIn: 10, tokensOut: 10 })).toBeNull();
    expect(pricing.costNanoUsdOf({ model: 'azure_openai/gpt-6-luna', tokensIn: 10, tokensOut: 10 })).toBeNull();
  });

  it('prices every Ollama model at 0', () => {
    expect(pricing.costNanoUsdOf({ model: 'ollama/llama3.2:3b', tokensIn: 5000, tokensOut: 900 })).toBe(0);
  });

  it('lets overrides win, the longest first, provider/* matching all of a provider', () => {
    const overridden = createRunPricing({
      'openai/*': { input: 1, output: 1 },
      'openai/gpt-6-luna': { input: 0.2, output: 0.4 },
      'ollama/*': { input: 0.01, output: 0.02 },
      'openai_compat/my-model': { input: 3, output: 6 },
    });
    expect(overridden.costNanoUsdOf({ model: 'openai/gpt-6-luna', tokensIn: 1000, tokensOut: 1000 })).toBe(600_000);
    expect(overridden.costNanoUsdOf({ model: 'openai/gpt-4o', tokensIn: 1000, tokensOut: 0 })).toBe(1_000_000);
    expect(overridden.costNanoUsdOf({ model: 'ollama/gemma3', tokensIn: 1000, tokensOut: 1000 })).toBe(30_000);
    expect(overridden.costNanoUsdOf({ model: 'openai_compat/my-model', tokensIn: 1, tokensOut: 1 })).toBe(9_000);
    expect(overridden.costNanoUsdOf({ model: 'anthropic/claude-opus-5-5', tokensIn: 1, tokensOut: 0 })).toBe(4_000);
  });

  it('rounds fractional nano-dollars to the nearest', () => {
    // command-r7b: $0.0375 per 1M input tokens = 37.5 nano-dollars per token.
    expect(pricing.costNanoUsdOf({ model: 'cohere/command-r7b-12-2024', tokensIn: 1, tokensOut: 0 })).toBe(38);
  });
});

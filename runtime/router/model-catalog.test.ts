import { describe, expect, it } from 'vitest';
import { modelTraits } from './model-catalog.ts';

describe('modelTraits', () => {
  it('prices the GPT-6 tiers from their own entries, cheapest Luna first', () => {
    const luna = modelTraits({ provider: 'openai', model: 'gpt-6-luna' });
    const terra = modelTraits({ provider: 'openai', model: 'gpt-6.1-terra' });
    const sol = modelTraits({ provider: 'openai', model: 'gpt-6.1-sol' });

    expect([luna.costPerMillionTokens, terra.costPerMillionTokens, sol.costPerMillionTokens]).toEqual([0.6, 6, 12]);
    expect(sol.qualityTier).toBe(5);
  });

  it('tells Claude Haiku 5.5 from the older, dearer Haiku family entry', () => {
    expect(modelTraits({ provider: 'anthropic', model: 'claude-haiku-5-5' }).costPerMillionTokens).toBe(0.6);
    expect(modelTraits({ provider: 'anthropic', model: 'claude-haiku-4-5' }).costPerMillionTokens).toBe(6);
  });

  it('matches a Groq model after its vendor prefix (openai/gpt-oss-20b)', () => {
    expect(modelTraits({ provider: 'groq', model: 'openai/gpt-oss-20b' })).toEqual({
      costPerMillionTokens: 0.375,
      qualityTier: 2,
      supportsTools: true,
    });
  });

  it('prices mistral-medium-latest as Medium 3.5, and a local Ollama model at zero', () => {
    expect(modelTraits({ provider: 'mistral', model: 'mistral-medium-latest' }).costPerMillionTokens).toBe(9);
    expect(modelTraits({ provider: 'ollama', model: 'gpt-oss-20b' }).costPerMillionTokens).toBe(0);
  });
});

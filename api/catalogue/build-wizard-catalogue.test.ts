import { describe, expect, it } from 'vitest';
import { builtinToolNames } from '../../runtime/tools/builtin-tools.ts';
import { buildWizardCatalogue } from './build-wizard-catalogue.ts';

describe('buildWizardCatalogue', () => {
  it('puts the suggested models under their provider and names the default model', () => {
    const catalogue = buildWizardCatalogue({
      models: {
        anthropic: [
          { model: 'anthropic/model-b', note: 'fast' },
          { model: 'anthropic/model-a', note: 'capable' },
        ],
      },
      defaultModel: 'anthropic/model-b',
    });

    expect(catalogue.providers.find((provider) => provider.name === 'anthropic')?.suggested_models).toEqual([
      { model: 'anthropic/model-b', note: 'fast' },
      { model: 'anthropic/model-a', note: 'capable' },
    ]);
    expect(catalogue.providers.find((provider) => provider.name === 'groq')?.suggested_models).toEqual([]);
    expect(catalogue.default_model).toBe('anthropic/model-b');
  });

  it('offers every tool the runtime runs, and words for every guardrail and strategy', () => {
    const catalogue = buildWizardCatalogue({ models: {}, defaultModel: undefined });

    expect(catalogue.tools.map((tool) => tool.name)).toEqual(builtinToolNames);
    expect(catalogue.default_model).toBeNull();
    for (const choice of [
      ...catalogue.guardrails.input,
      ...catalogue.guardrails.output,
      ...catalogue.memory.strategies,
    ]) {
      expect(choice.description, choice.name).not.toBe('');
    }
  });
});

import { describe, expect, it } from 'vitest';
import { mergeWizardConfig, WizardConfig, WizardConfigPatch } from './wizard-config.ts';

const aConfig = () =>
  WizardConfig.parse({
    name: 'support-bot',
    step1: { model: 'openai/model-a', fallback_model: 'ollama/model-b' },
  });

describe('mergeWizardConfig (PUT /orgs/{slug}/agents/{name})', () => {
  it('keeps the fallback model when the patch leaves it out', () => {
    const patch = WizardConfigPatch.parse({ step1: { model: 'openai/model-c' } });

    expect(mergeWizardConfig(aConfig(), patch).step1).toEqual({
      model: 'openai/model-c',
      fallback_model: 'ollama/model-b',
    });
  });

  it('removes the fallback model when the patch sets it to null', () => {
    const patch = WizardConfigPatch.parse({ step1: { fallback_model: null } });

    expect(mergeWizardConfig(aConfig(), patch).step1).toEqual({ model: 'openai/model-a' });
  });

  it('refuses null for the model itself, naming the field', () => {
    const result = WizardConfigPatch.safeParse({ step1: { model: null } });

    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['step1', 'model']);
  });
});

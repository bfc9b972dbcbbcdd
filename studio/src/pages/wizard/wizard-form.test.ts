import { describe, expect, it } from 'vitest';
import type { WizardCatalogue } from '../../../../api/schemas/wizard-catalogue.ts';
import { configOf, formOf, patchOf, splitModelRef } from './wizard-form.ts';

const aCatalogue = (defaultModel: string | null = 'openai/model-a'): WizardCatalogue => ({
  providers: [
    { name: 'openai', suggested_models: [] },
    { name: 'ollama', suggested_models: [] },
  ],
  default_model: defaultModel,
  tools: [],
  guardrails: { input: [], output: [] },
  memory: {
    types: ['conversational'],
    strategies: [{ name: 'sliding_window', description: '' }],
    window_size: { min: 1, max: 200, default: 20 },
  },
  max_tokens: { min: 1, max: 100_000, default: 1000 },
});

describe('the wizard form', () => {
  it('splits provider/model at the first slash only', () => {
    expect(splitModelRef('groq/openai/gpt-oss-20b')).toEqual({ provider: 'groq', model: 'openai/gpt-oss-20b' });
    expect(splitModelRef(undefined)).toEqual({ provider: '', model: '' });
  });

  it('starts a new agent from the catalogue’s default model and bounds', () => {
    const form = formOf(undefined, aCatalogue());

    expect(form).toMatchObject({ provider: 'openai', model: 'model-a', windowSize: '20', maxTokens: '1000' });
    expect(formOf(undefined, aCatalogue(null))).toMatchObject({ provider: 'openai', model: '' });
  });

  it('sends numbers as numbers and anything else as typed, for the API to name', () => {
    const form = { ...formOf(undefined, aCatalogue()), name: ' bot ', windowSize: '30', maxTokens: 'lots' };

    const config = configOf(form);

    expect(config).toMatchObject({ name: 'bot', step4: { window_size: 30 }, step5: { max_tokens: 'lots' } });
    expect(config.step1).toEqual({ model: 'openai/model-a' });
  });

  it('removes the fallback on PUT with null, and names it when chosen', () => {
    const form = formOf(undefined, aCatalogue());

    expect(patchOf(form).step1).toEqual({ model: 'openai/model-a', fallback_model: null });
    expect(patchOf({ ...form, fallbackProvider: 'ollama', fallbackModel: ' small ' }).step1?.fallback_model).toBe(
      'ollama/small',
    );
  });

  it('sends the chosen MCP servers on PUT even when none is left, and leaves them out of a create without any', () => {
    const form = formOf(undefined, aCatalogue());

    expect(patchOf(form).step3).toEqual({ tools: [], mcp_servers: [] });
    expect(configOf(form).step3).toEqual({ tools: [] });
    expect(configOf({ ...form, mcpServers: ['order-desk'] }).step3).toEqual({ tools: [], mcp_servers: ['order-desk'] });
  });

  it('round-trips a saved config with its MCP servers', () => {
    const saved = {
      name: 'bot',
      step1: { model: 'openai/model-b' },
      step2: { system_prompt: '', persona: '' },
      step3: { tools: [], mcp_servers: ['order-desk', 'crm'] },
      step4: { memory_type: 'conversational' as const, memory_strategy: 'sliding_window' as const, window_size: 20 },
      step5: { input_guardrails: [], output_guardrails: [], max_tokens: 1000 },
    };

    expect(configOf(formOf(saved, aCatalogue()))).toEqual(saved);
  });

  it('round-trips a saved config', () => {
    const saved = {
      name: 'bot',
      display_name: 'Bot',
      step1: { model: 'openai/model-b', fallback_model: 'ollama/model-c' },
      step2: { system_prompt: 'Hi {{ name }}', persona: 'Helper' },
      step3: { tools: ['calculator'] },
      step4: { memory_type: 'conversational' as const, memory_strategy: 'summary' as const, window_size: 8 },
      step5: { input_guardrails: ['pii_filter' as const], output_guardrails: [], max_tokens: 500 },
    };

    expect(configOf(formOf(saved, aCatalogue()))).toEqual(saved);
  });
});

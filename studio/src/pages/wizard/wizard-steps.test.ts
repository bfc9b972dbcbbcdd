import { describe, expect, it } from 'vitest';
import { fieldTarget, stepOf } from './wizard-steps.ts';

describe('fieldTarget: where an API error shows', () => {
  it.each([
    ['name', 'model', 'wizard-name'],
    ['display_name', 'model', 'wizard-display-name'],
    ['step1.model', 'model', 'wizard-model'],
    ['step1.fallback_model', 'model', 'wizard-fallback-model'],
    ['step2.system_prompt', 'prompt', 'wizard-system-prompt'],
    ['step2.persona', 'prompt', 'wizard-persona'],
    ['step3.tools[1]', 'tools', 'wizard-tools'],
    ['step3.tools.1', 'tools', 'wizard-tools'],
    ['step3.mcp_servers[0]', 'tools', 'wizard-mcp-servers'],
    ['step3.mcp_servers', 'tools', 'wizard-mcp-servers'],
    ['step4', 'memory', 'wizard-memory-strategy'],
    ['step4.window_size', 'memory', 'wizard-window-size'],
    ['step5.input_guardrails[0]', 'guardrails', 'wizard-input-guardrails'],
    ['step5.output_guardrails.2', 'guardrails', 'wizard-output-guardrails'],
    ['step5.max_tokens', 'guardrails', 'wizard-max-tokens'],
  ])('puts %s on step %s, control %s', (field, step, control) => {
    expect(fieldTarget(field)).toEqual({ step, control });
  });

  it('has no place for a field outside the wizard, or none at all', () => {
    expect(fieldTarget('body')).toBeUndefined();
    expect(fieldTarget(undefined)).toBeUndefined();
  });

  it('reads ?step= and falls back to the first step', () => {
    expect(stepOf('review')).toBe('review');
    expect(stepOf('nonsense')).toBe('model');
    expect(stepOf(undefined)).toBe('model');
  });
});

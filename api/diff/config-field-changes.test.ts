import { describe, expect, it } from 'vitest';
import { configFieldChanges } from './config-field-changes.ts';

describe('configFieldChanges', () => {
  it('names each changed field by its path, a list as one field', () => {
    const from = { name: 'bot', step2: { system_prompt: 'Be brief.' }, step3: { tools: ['calculator'] } };
    const to = { name: 'bot', step2: { system_prompt: 'Be kind.' }, step3: { tools: ['calculator', 'web_search'] } };

    expect(configFieldChanges(from, to)).toEqual([
      { field: 'step2.system_prompt', from: 'Be brief.', to: 'Be kind.' },
      { field: 'step3.tools', from: ['calculator'], to: ['calculator', 'web_search'] },
    ]);
  });

  it('leaves out the side where a field is not set', () => {
    expect(configFieldChanges({ step1: { model: 'a/b' } }, { step1: { model: 'a/b', fallback_model: 'c/d' } })).toEqual(
      [{ field: 'step1.fallback_model', to: 'c/d' }],
    );
  });

  it('finds nothing between equal configs', () => {
    expect(configFieldChanges({ a: { b: [1, 2] } }, { a: { b: [1, 2] } })).toEqual([]);
  });
});

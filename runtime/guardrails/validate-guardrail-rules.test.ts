import { describe, expect, it } from 'vitest';
import { validateGuardrailRules } from './validate-guardrail-rules.ts';

describe('validateGuardrailRules', () => {
  it('accepts the rules of an upstream agent file', () => {
    const problems = validateGuardrailRules({
      input: [
        { type: 'pii_detection', action: 'redact' },
        { type: 'max_length', max_chars: 5000 },
        { type: 'topic_filter', blocked_topics: ['weapons'], action: 'block' },
      ],
      output: [
        { type: 'cost_limit', max_tokens_per_turn: 500 },
        { type: 'content_filter', blocked_patterns: ['secret'] },
      ],
    });

    expect(problems).toEqual([]);
  });

  it('accepts the Cloud wizard names and content_safety without patterns', () => {
    const problems = validateGuardrailRules({
      input: [{ type: 'pii_filter' }],
      output: [{ type: 'content_safety' }, { type: 'pii_filter', action: 'block' }],
    });

    expect(problems).toEqual([]);
  });

  it('names the field of an invalid regular expression', () => {
    const problems = validateGuardrailRules({
      output: [{ type: 'pii_detection' }, { type: 'content_filter', blocked_patterns: ['fine', '(unclosed'] }],
    });

    expect(problems).toEqual([
      {
        path: ['output', 1, 'blocked_patterns', 1],
        field: 'spec.guardrails.output[1].blocked_patterns[1]',
        message: expect.stringMatching(/^is not a valid regular expression: .*unterminated group/i),
      },
    ]);
  });

  it('rejects a pattern that matches the empty string', () => {
    const problems = validateGuardrailRules({ output: [{ type: 'content_filter', blocked_patterns: ['x*'] }] });

    expect(problems.map((p) => [p.field, p.message])).toEqual([
      ['spec.guardrails.output[0].blocked_patterns[0]', 'matches the empty string'],
    ]);
  });

  it('rejects a rule on a side where it would do nothing', () => {
    const problems = validateGuardrailRules({
      input: [{ type: 'cost_limit', max_tokens_per_turn: 100 }],
      output: [{ type: 'topic_filter', blocked_topics: ['x'] }],
    });

    expect(problems.map((p) => [p.field, p.message])).toEqual([
      ['spec.guardrails.input[0].type', 'cost_limit applies to output guardrails only'],
      ['spec.guardrails.output[0].type', 'topic_filter applies to input guardrails only'],
    ]);
  });

  it('rejects an action the type does not support', () => {
    const problems = validateGuardrailRules({
      input: [
        { type: 'pii_detection', action: 'truncate' },
        { type: 'topic_filter', blocked_topics: ['x'], action: 'redact' },
      ],
    });

    expect(problems.map((p) => [p.field, p.message])).toEqual([
      ['spec.guardrails.input[0].action', 'pii_detection supports action redact or block, not truncate'],
      ['spec.guardrails.input[1].action', 'topic_filter supports action block or warn, not redact'],
    ]);
  });

  it('rejects settings another type would read', () => {
    const problems = validateGuardrailRules({
      output: [{ type: 'content_filter', blocked_topics: ['x'], blocked_patterns: ['y'] }],
    });

    expect(problems.map((p) => [p.field, p.message])).toEqual([
      ['spec.guardrails.output[0].blocked_topics', 'blocked_topics has no effect on content_filter'],
    ]);
  });

  it('rejects a filter with nothing to filter', () => {
    const problems = validateGuardrailRules({
      input: [
        { type: 'topic_filter', blocked_topics: [] },
        { type: 'topic_filter', blocked_topics: ['ok', ' '] },
      ],
      output: [{ type: 'content_filter' }],
    });

    expect(problems.map((p) => [p.field, p.message])).toEqual([
      ['spec.guardrails.input[0].blocked_topics', 'topic_filter does nothing without at least one entry'],
      ['spec.guardrails.input[1].blocked_topics[1]', 'a topic must not be blank'],
      ['spec.guardrails.output[0].blocked_patterns', 'content_filter does nothing without at least one entry'],
    ]);
  });

  it('has nothing to say about an agent without guardrails', () => {
    expect(validateGuardrailRules(undefined)).toEqual([]);
  });
});

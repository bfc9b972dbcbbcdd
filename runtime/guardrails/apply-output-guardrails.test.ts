import { describe, expect, it } from 'vitest';
import { GuardrailBlocked } from '../runtime-error.ts';
import { applyOutputGuardrails } from './apply-output-guardrails.ts';
import { GuardrailConfigError } from './guardrail-config-error.ts';

describe('applyOutputGuardrails', () => {
  it('passes the answer through when the agent has no output rules', () => {
    expect(applyOutputGuardrails('The secret is 555-123-4567')).toEqual({
      text: 'The secret is 555-123-4567',
      applied: [],
    });
  });

  describe('pii_detection', () => {
    it('redacts e-mail, phone, SSN and card numbers', () => {
      const result = applyOutputGuardrails(
        'Reach jane@example.com or 555-123-4567; SSN 123-45-6789; card 4111 1111 1111 1111.',
        [{ type: 'pii_detection' }],
      );

      expect(result).toEqual({
        text: 'Reach [REDACTED_EMAIL] or [REDACTED_PHONE]; SSN [REDACTED_SSN]; card [REDACTED_CC].',
        applied: [{ type: 'pii_detection', action: 'redact', detail: 'redacted 1 email, 1 card, 1 ssn, 1 phone' }],
      });
    });

    it('blocks the answer with action block, under either name', () => {
      for (const type of ['pii_detection', 'pii_filter'] as const) {
        expect(() => applyOutputGuardrails('mail jane@example.com', [{ type, action: 'block' }])).toThrow(
          new GuardrailBlocked(type, `output blocked by ${type}: it contains an e-mail address`),
        );
      }
    });
  });

  describe('content_filter', () => {
    it('replaces each blocked pattern with [FILTERED], ignoring case', () => {
      const result = applyOutputGuardrails('The Secret code is SECRET-42, the password: hunter2', [
        { type: 'content_filter', blocked_patterns: ['secret', String.raw`password:\s*\S+`] },
      ]);

      expect(result).toEqual({
        text: 'The [FILTERED] code is [FILTERED]-42, the [FILTERED]',
        applied: [{ type: 'content_filter', action: 'redact', detail: 'filtered 3 matches' }],
      });
    });

    it('filters overlapping matches of two patterns as one', () => {
      const result = applyOutputGuardrails('topsecretive', [
        { type: 'content_filter', blocked_patterns: ['topsecret', 'secretive', 'filtered'] },
      ]);

      expect(result.text).toBe('[FILTERED]');
    });

    it('blocks with action block, naming the pattern', () => {
      expect(() =>
        applyOutputGuardrails('launch codes: 0000', [
          { type: 'content_filter', blocked_patterns: ['nothing', 'launch codes'], action: 'block' },
        ]),
      ).toThrow(
        new GuardrailBlocked('content_filter', 'output blocked by content_filter: it matches blocked_patterns[1]'),
      );
    });

    it('is also called content_safety, and then uses its own patterns', () => {
      const result = applyOutputGuardrails('classified', [
        { type: 'content_safety', blocked_patterns: ['classified'] },
      ]);

      expect(result.text).toBe('[FILTERED]');
    });

    it('filters secrets and self-harm with the default content_safety list', () => {
      const result = applyOutputGuardrails(
        'key sk-proj-abcdefghijklmnopqrstuvwxyz0123 and AKIAABCDEFGHIJKLMNOP; -----BEGIN RSA PRIVATE KEY-----; You should kill yourself.',
        [{ type: 'content_safety' }],
      );

      expect(result.text).toBe('key [FILTERED] and [FILTERED]; [FILTERED]; [FILTERED].');
    });

    it('refuses an invalid regular expression, naming the field', () => {
      expect(() =>
        applyOutputGuardrails('x', [
          { type: 'cost_limit' },
          { type: 'content_filter', blocked_patterns: ['ok', '[a-'] },
        ]),
      ).toThrow(GuardrailConfigError);
    });
  });

  describe('cost_limit', () => {
    it('truncates past max_tokens_per_turn estimated as words × 1.3, and marks it', () => {
      const words = Array.from({ length: 20 }, (_, index) => `w${index + 1}`).join(' ');

      const result = applyOutputGuardrails(words, [{ type: 'cost_limit', max_tokens_per_turn: 10 }]);

      expect(result).toEqual({
        text: 'w1 w2 w3 w4 w5 w6 w7... [truncated]',
        applied: [{ type: 'cost_limit', action: 'truncate', detail: 'truncated after 7 words (about 10 tokens)' }],
      });
    });

    it('keeps an answer whose estimate fits exactly', () => {
      const tenWords = 'one two three four five six seven eight nine ten';

      expect(applyOutputGuardrails(tenWords, [{ type: 'cost_limit', max_tokens_per_turn: 13 }]).text).toBe(tenWords);
      expect(applyOutputGuardrails(tenWords, [{ type: 'cost_limit', max_tokens_per_turn: 12 }]).text).toBe(
        'one two three four five six seven eight nine... [truncated]',
      );
    });

    it('keeps the line breaks of the kept part', () => {
      const result = applyOutputGuardrails('- one\n- two\n- three', [{ type: 'cost_limit', max_tokens_per_turn: 6 }]);

      expect(result.text).toBe('- one\n- two... [truncated]');
    });

    it('allows 500 tokens by default', () => {
      const result = applyOutputGuardrails('word '.repeat(400), [{ type: 'cost_limit' }]);

      expect(result.text.endsWith('word... [truncated]')).toBe(true);
      expect(result.text.match(/word/g)).toHaveLength(384);
    });
  });

  it('applies the rules in the order listed', () => {
    const text = 'alpha beta jane@example.com gamma';

    const truncatedFirst = applyOutputGuardrails(text, [
      { type: 'cost_limit', max_tokens_per_turn: 3 },
      { type: 'content_filter', blocked_patterns: ['truncated'] },
    ]);

    expect(truncatedFirst.text).toBe('alpha beta... [[FILTERED]]');
  });
});

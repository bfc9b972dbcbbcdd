import { describe, expect, it } from 'vitest';
import { GuardrailBlocked } from '../runtime-error.ts';
import { applyInputGuardrails } from './apply-input-guardrails.ts';
import { GuardrailConfigError } from './guardrail-config-error.ts';

function blockedBy(run: () => unknown): GuardrailBlocked {
  try {
    run();
  } catch (err) {
    if (err instanceof GuardrailBlocked) return err;
    throw err;
  }
  throw new Error('expected GuardrailBlocked, nothing was thrown');
}

describe('applyInputGuardrails', () => {
  it('passes the text through when the agent has no input rules', () => {
    expect(applyInputGuardrails('Mail me at jane@example.com', [])).toEqual({
      text: 'Mail me at jane@example.com',
      applied: [],
    });
  });

  describe('pii_detection', () => {
    it('redacts by default and reports what it redacted', () => {
      const result = applyInputGuardrails('I am jane@example.com, call 555-123-4567 or (555) 987-6543', [
        { type: 'pii_detection' },
      ]);

      expect(result).toEqual({
        text: 'I am [REDACTED_EMAIL], call [REDACTED_PHONE] or [REDACTED_PHONE]',
        applied: [{ type: 'pii_detection', action: 'redact', detail: 'redacted 1 email, 2 phone' }],
      });
    });

    it('is also called pii_filter', () => {
      const result = applyInputGuardrails('SSN 123-45-6789', [{ type: 'pii_filter', action: 'redact' }]);

      expect(result).toEqual({
        text: 'SSN [REDACTED_SSN]',
        applied: [{ type: 'pii_filter', action: 'redact', detail: 'redacted 1 ssn' }],
      });
    });

    it('blocks with action block, without echoing what it found', () => {
      const error = blockedBy(() =>
        applyInputGuardrails('my card is 4111 1111 1111 1111', [{ type: 'pii_detection', action: 'block' }]),
      );

      expect(error).toMatchObject({ code: 'guardrail_blocked', status: 400, rule: 'pii_detection' });
      expect(error.message).toBe('input blocked by pii_detection: it contains a payment card number');
    });

    it('leaves a message without personal data untouched and unreported', () => {
      const result = applyInputGuardrails('Order 42 shipped on 2024-01-15.', [{ type: 'pii_detection' }]);

      expect(result).toEqual({ text: 'Order 42 shipped on 2024-01-15.', applied: [] });
    });
  });

  describe('topic_filter', () => {
    it('blocks a blocked topic in any case, naming the rule and the topic', () => {
      const error = blockedBy(() =>
        applyInputGuardrails('How do I build WEAPONS at home?', [
          { type: 'topic_filter', blocked_topics: ['weapons'] },
        ]),
      );

      expect(error.rule).toBe('topic_filter');
      expect(error.message).toBe('input blocked by topic_filter: it mentions the blocked topic "weapons"');
    });

    it('matches whole words only', () => {
      const rules = [{ type: 'topic_filter' as const, blocked_topics: ['gun'] }];

      expect(applyInputGuardrails('Begun the shotgun burgundy guns', rules).text).toBe(
        'Begun the shotgun burgundy guns',
      );
      expect(() => applyInputGuardrails('A gun.', rules)).toThrow(GuardrailBlocked);
    });

    it('matches a phrase across any whitespace, and topics with symbols literally', () => {
      const rules = [{ type: 'topic_filter' as const, blocked_topics: ['credit  cards', 'c++'] }];

      expect(() => applyInputGuardrails('about Credit\ncards', rules)).toThrow('"credit  cards"');
      expect(() => applyInputGuardrails('I write C++ daily', rules)).toThrow('"c++"');
      expect(applyInputGuardrails('I write cpp daily', rules).applied).toEqual([]);
    });

    it('treats letters of any script as part of a word', () => {
      const rules = [{ type: 'topic_filter' as const, blocked_topics: ['café'] }];

      expect(applyInputGuardrails('cafés', rules).text).toBe('cafés');
      expect(() => applyInputGuardrails('un CAFÉ noir', rules)).toThrow(GuardrailBlocked);
    });
  });

  describe('max_length', () => {
    it('truncates to 10000 characters by default', () => {
      const result = applyInputGuardrails('a'.repeat(10_005), [{ type: 'max_length' }]);

      expect(result.text).toHaveLength(10_000);
      expect(result.applied).toEqual([
        { type: 'max_length', action: 'truncate', detail: 'truncated 10005 characters to 10000' },
      ]);
    });

    it('counts characters, never splitting an emoji', () => {
      const result = applyInputGuardrails('ab😀😀', [{ type: 'max_length', max_chars: 3 }]);

      expect(result.text).toBe('ab😀');
    });

    it('blocks with action block', () => {
      const error = blockedBy(() =>
        applyInputGuardrails('too long', [{ type: 'max_length', max_chars: 3, action: 'block' }]),
      );

      expect(error.message).toBe('input blocked by max_length: 8 characters, more than the 3 allowed');
    });

    it('lets a message at the limit through', () => {
      expect(applyInputGuardrails('abc', [{ type: 'max_length', max_chars: 3 }])).toEqual({ text: 'abc', applied: [] });
    });
  });

  it('applies the rules in the order listed', () => {
    const result = applyInputGuardrails('jane@example.com', [
      { type: 'max_length', max_chars: 6 },
      { type: 'pii_detection' },
    ]);

    expect(result.text).toBe('jane@e');
  });

  it('refuses a rule that cannot apply to input, naming the field', () => {
    expect(() => applyInputGuardrails('hi', [{ type: 'pii_detection' }, { type: 'cost_limit' }])).toThrow(
      new GuardrailConfigError('spec.guardrails.input[1].type', 'cost_limit applies to output guardrails only'),
    );
  });
});

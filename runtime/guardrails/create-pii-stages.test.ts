import { describe, expect, it } from 'vitest';
import { applyTextStage } from './apply-text-stage.ts';
import { createPiiStages } from './create-pii-stages.ts';

function redact(text: string): string {
  return createPiiStages({ type: 'pii_detection', side: 'output', blocks: false }).reduce(
    (current, stage) => applyTextStage(stage, current).text,
    text,
  );
}

describe('the pii_detection stages', () => {
  it.each([
    ['jane.doe@example.com', '[REDACTED_EMAIL]'],
    ['Write to x+tag@mail.example.co.uk.', 'Write to [REDACTED_EMAIL].'],
    ['<a_b-c%d@sub-domain.io>', '<[REDACTED_EMAIL]>'],
  ])('redacts the e-mail address in %j', (text, expected) => {
    expect(redact(text)).toBe(expected);
  });

  it.each([
    ['555-123-4567', '[REDACTED_PHONE]'],
    ['(555) 123-4567', '[REDACTED_PHONE]'],
    ['call 555.123.4567 today', 'call [REDACTED_PHONE] today'],
    ['+1 555 123 4567', '[REDACTED_PHONE]'],
    ['+1-555-123-4567', '[REDACTED_PHONE]'],
    ['5551234567', '[REDACTED_PHONE]'],
    ['London: +44 20 7946 0958', 'London: [REDACTED_PHONE]'],
  ])('redacts the phone number in %j', (text, expected) => {
    expect(redact(text)).toBe(expected);
  });

  it.each([
    ['SSN 123-45-6789.', 'SSN [REDACTED_SSN].'],
    ['078 05 1120', '[REDACTED_SSN]'],
  ])('redacts the social security number in %j', (text, expected) => {
    expect(redact(text)).toBe(expected);
  });

  it.each([
    ['4111 1111 1111 1111', '[REDACTED_CC]'],
    ['4111-1111-1111-1111', '[REDACTED_CC]'],
    ['visa 4111111111111111, thanks', 'visa [REDACTED_CC], thanks'],
    ['amex 3782 822463 10005', 'amex [REDACTED_CC]'],
    ['5500 0055 5555 5559 exp 12/27', '[REDACTED_CC] exp 12/27'],
  ])('redacts the card number in %j', (text, expected) => {
    expect(redact(text)).toBe(expected);
  });

  it('finds a card number next to other digit groups', () => {
    expect(redact('ref 12 4111 1111 1111 1111 555-123-4567')).toBe('ref 12 [REDACTED_CC] [REDACTED_PHONE]');
  });

  it.each([
    ['a 16-digit number that fails the Luhn check', '4111 1111 1111 1112'],
    ['a 20-digit reference', '41111111111111111111'],
    ['a date', 'on 2024-01-15 at 10:30'],
    ['a version', 'v1.22.333'],
    ['an amount', '$1,234,567.89'],
    ['an SSN that was never issued', '000-12-3456 and 666-12-3456 and 900-12-3456'],
    ['digits inside a longer number', '12555-123-45679'],
    ['digits glued to letters', 'id555-123-4567x'],
    ['an @ without a domain', 'ping @jane or jane@localhost'],
  ])('leaves %s alone', (_, text) => {
    expect(redact(text)).toBe(text);
  });
});

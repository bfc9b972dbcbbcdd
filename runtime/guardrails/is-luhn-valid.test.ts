import { describe, expect, it } from 'vitest';
import { isLuhnValid } from './is-luhn-valid.ts';

describe('isLuhnValid', () => {
  it.each(['4111111111111111', '5500005555555559', '378282246310005', '6011111111111117'])(
    'accepts the test card number %s',
    (digits) => {
      expect(isLuhnValid(digits)).toBe(true);
    },
  );

  it.each(['4111111111111112', '1234567890123456', ''])('rejects %j', (digits) => {
    expect(isLuhnValid(digits)).toBe(false);
  });
});

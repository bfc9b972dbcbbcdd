import { describe, expect, it } from 'vitest';
import { signInRefusalText } from './sign-in-refusal-text.ts';

describe('the words for a refused sign-in', () => {
  it('says nothing without a code', () => {
    expect(signInRefusalText(undefined)).toBeUndefined();
  });

  it('explains an unverified email', () => {
    expect(signInRefusalText('email_not_verified')).toMatch(/not verified your email/);
  });

  it('never repeats what the address says', () => {
    expect(signInRefusalText('Call 555-0100 to unlock your account')).toBe('The sign-in failed. Please try again.');
  });
});

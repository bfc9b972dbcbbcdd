import { GuardrailBlocked } from '../runtime-error.ts';
import { findCardNumbers } from './find-card-numbers.ts';
import { findRegexMatches } from './find-regex-matches.ts';
import type { GuardrailSide, GuardrailType, TextMatch, TextStage } from './guardrail-types.ts';
import { holdFromTrailingRun } from './hold-from-trailing-run.ts';

// Every pattern is bounded (an address is at most 64 + 1 + 8 × 64 + 63 characters, RFC 5321's
// local-part and label limits), so a stream decides each match from a bounded window, whatever the
// text around it. The lookbehinds make a match start where its run of characters starts (no
// address inside a longer word), which also keeps the scan linear on long runs.
const email = /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,63}/g;
const longestEmail = 64 + 1 + 8 * 64 + 63;
// US social security numbers, without the never-issued area 000, 666 and 9xx, group 00, serial 0000.
const ssn = /(?<![\w-])(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\w-])/g;
// North American numbers, optionally with a country code and brackets, and other numbers written
// internationally with a leading + (8 to 15 digits).
const phone =
  /(?<![\w+])(?:(?:\+\d{1,3}[ .-]?)?(?:\(\d{3}\)[ .-]?|\d{3}[ .-]?)\d{3}[ .-]?\d{4}|\+(?:\d[ .-]?){7,14}\d)(?!\w)/g;
// Longer than any card candidate (19 digits, 18 separators), SSN or phone number, plus lookarounds.
const longestNumber = 64;

const emailChar = /[A-Za-z0-9._%+@-]/;
const cardOrSsnChar = /[\d -]/;
const phoneChar = /[\d ().+-]/;

const whatWasFound: Record<string, string> = {
  email: 'an e-mail address',
  card: 'a payment card number',
  ssn: 'a US social security number',
  phone: 'a phone number',
};

/**
 * pii_detection as four passes, in upstream's order: e-mail addresses, card numbers, US social
 * security numbers, phone numbers. One pass per kind keeps each pattern simple, and the
 * placeholders an earlier pass writes contain nothing a later one matches.
 */
export function createPiiStages(rule: { type: GuardrailType; side: GuardrailSide; blocks: boolean }): TextStage[] {
  const blockedBy = rule.blocks
    ? (match: TextMatch) =>
        new GuardrailBlocked(
          rule.type,
          `${rule.side} blocked by ${rule.type}: it contains ${whatWasFound[match.label]}`,
        )
    : undefined;
  return [
    {
      findMatches: (text, from) =>
        findRegexMatches(email, text, from, { replacement: '[REDACTED_EMAIL]', label: 'email' }),
      holdFrom: (text) => holdFromTrailingRun(text, emailChar, longestEmail),
      blockedBy,
    },
    {
      findMatches: findCardNumbers,
      holdFrom: (text) => holdFromTrailingRun(text, cardOrSsnChar, longestNumber),
      blockedBy,
    },
    {
      findMatches: (text, from) => findRegexMatches(ssn, text, from, { replacement: '[REDACTED_SSN]', label: 'ssn' }),
      holdFrom: (text) => holdFromTrailingRun(text, cardOrSsnChar, longestNumber),
      blockedBy,
    },
    {
      findMatches: (text, from) =>
        findRegexMatches(phone, text, from, { replacement: '[REDACTED_PHONE]', label: 'phone' }),
      holdFrom: (text) => holdFromTrailingRun(text, phoneChar, longestNumber),
      blockedBy,
    },
  ];
}

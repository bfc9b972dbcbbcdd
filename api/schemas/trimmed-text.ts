import { z } from 'zod';

// What String.prototype.trim removes, spelled out: `\s` differs between JavaScript, Python and
// Rust, and the pattern below is read by all three (the API, the fuzzer, its validator).
const whitespace = '\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';

/**
 * Text a person types (a display name, a key's name), stored without surrounding whitespace. The
 * bounds hold for what is sent, before trimming, so the document's maxLength and pattern say
 * exactly what the API accepts: at most `max` characters, not all of them whitespace.
 */
export function trimmedText(max: number) {
  return z
    .string()
    .max(max)
    .regex(new RegExp(`[^${whitespace}]`), 'must not be blank')
    .trim();
}

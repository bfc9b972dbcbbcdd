import { describe, expect, it } from 'vitest';
import { InputRefused } from './input-refused.ts';
import { parseJsonInput } from './parse-json-input.ts';

function refusalOf(text: string): InputRefused {
  try {
    parseJsonInput(text, 'message');
  } catch (err) {
    if (err instanceof InputRefused) return err;
    throw err;
  }
  throw new Error(`parseJsonInput accepted ${text}`);
}

describe('parseJsonInput', () => {
  it('returns the parsed value of good input', () => {
    expect(parseJsonInput('{"query": "hi", "context": {"plan": ["pro"]}}', 'message')).toEqual({
      query: 'hi',
      context: { plan: ['pro'] },
    });
  });

  it('says where JSON is broken without quoting the text, which may hold a secret', () => {
    const refusal = refusalOf('{"api_key": "sk-live-secret');

    expect(refusal.status).toBe(400);
    expect(refusal.message).toMatch(/^message: not valid JSON at position \d+$/);
  });

  it('refuses a context nested 5,000 levels with the field path and the limit', () => {
    const text = `{"query": "hi", "context": ${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`;

    const refusal = refusalOf(text);

    expect(refusal.message).toBe(`context${'.a'.repeat(31)}: nested deeper than 32 levels`);
  });

  it('names the key of a __proto__ and escapes a NUL in a key it shows', () => {
    expect(refusalOf('{"__proto__": {}}').message).toBe('__proto__: this key is not allowed');
    expect(refusalOf('{"items": [{"na\\u0000me": 1}]}').message).toBe(
      'items[0].na\\u0000me: its key must not contain NUL (U+0000)',
    );
  });
});

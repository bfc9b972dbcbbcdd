import { describe, expect, it } from 'vitest';
import { maxPatternReach } from './max-pattern-reach.ts';
import { patternHoldbackChars } from './pattern-holdback-chars.ts';

const unbounded = Number.POSITIVE_INFINITY;

describe('maxPatternReach', () => {
  const cases: [string, string, number][] = [
    ['a literal, one unit a character', 'secret', 6],
    ['a literal outside the Basic Multilingual Plane, two units', 'é😀', 3],
    ['escapes and classes, one unit each', String.raw`\d\w\s.[a-z\]]\t\/`, 7],
    ['an optional character', 'colou?r', 6],
    ['the longest alternative', 'ab|cde|f', 3],
    ['a bounded repetition of a group', '(?:ab|c){3}', 6],
    ['a lazy bounded repetition', 'a{2,4}?', 4],
    ['a repetition of nothing', 'a{0}b', 1],
    ['\\b at the end, which looks at the next character', String.raw`\bclassified\b`, 11],
    ['$, which looks at whether a next character exists', 'end$', 4],
    ['^, which looks only back', '^start', 5],
    ['a lookahead, reaching past the match', 'x(?=abc)', 4],
    ['a short lookbehind, looking back over released text', '(?<=@)home', 4],
    ['a named group and a modifier group', '(?<name>ab)(?i:cd)', 4],
    ['{ that starts no quantifier, a literal (Annex B)', 'a{,5}', 5],
    ['\\x or \\u without their digits, a letter then digits', String.raw`\x41\x4\u0041\u{3}`, 1 + 2 + 1 + 3],
    ['\\c before a non-letter, a backslash then characters', String.raw`\cA\c1`, 4],
    ['[] matching nothing, then ]', '[]]', 2],
    ['*', 'a*b', unbounded],
    ['+', String.raw`\w+`, unbounded],
    ['{m,}', 'a{2,}', unbounded],
    ['an optional unbounded group', '(a+)?', unbounded],
    ['a numbered backreference', String.raw`(\w)\1`, unbounded],
    ['a named backreference', String.raw`(?<c>\w)\k<c>`, unbounded],
    ['a lookbehind longer than the kept context', '(?<=a{300})b', unbounded],
    ['a lookaround inside a lookbehind', '(?<=(?=a)a)b', unbounded],
  ];

  for (const [what, pattern, reach] of cases) {
    it(`reads ${what}: /${pattern}/ reaches ${reach}`, () => {
      expect(maxPatternReach(pattern, 256)).toBe(reach);
    });
  }

  it('never reads a pattern as reaching less far than a match it makes', () => {
    const bounded = cases.filter(([, , reach]) => reach < unbounded).map(([, pattern]) => pattern);
    const text = 'secret SECRET é😀 colour color abcde ab cccab aaaa a{,5} end \\c1 xabc @home ABCD Ax\x044Auuu ]';
    let matches = 0;
    for (const pattern of bounded) {
      for (const [found] of text.matchAll(new RegExp(pattern, 'gi'))) {
        matches++;
        expect({ pattern, found, fits: found.length <= maxPatternReach(pattern, 256) }).toMatchObject({ fits: true });
      }
    }
    expect(matches).toBeGreaterThan(bounded.length);
  });
});

describe('patternHoldbackChars', () => {
  it('holds back the largest reach − 1 of a rule set, at most the 256-character window', () => {
    expect(patternHoldbackChars(['secret', 'top secret'])).toBe(9);
    expect(patternHoldbackChars(['secret', String.raw`\bsecret\b`])).toBe(6);
    expect(patternHoldbackChars(['a{1,1000}'])).toBe(256);
    expect(patternHoldbackChars(['secret', String.raw`pass\s*word`])).toBe(256);
  });
});

import type { TextMatch } from './guardrail-types.ts';

/**
 * Every non-empty match of a global `pattern` from `from` on, left to right, as String.replace
 * would find them. Empty matches are skipped: replacing them would insert text between characters.
 */
export function findRegexMatches(
  pattern: RegExp,
  text: string,
  from: number,
  found: { replacement: string; label: string },
): TextMatch[] {
  const matches: TextMatch[] = [];
  pattern.lastIndex = from;
  for (let match = pattern.exec(text); match; match = pattern.exec(text)) {
    if (match[0] === '') {
      pattern.lastIndex = match.index + 1;
      continue;
    }
    matches.push({ start: match.index, end: match.index + match[0].length, ...found });
  }
  return matches;
}

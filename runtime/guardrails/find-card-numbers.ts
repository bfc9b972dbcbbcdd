import type { TextMatch } from './guardrail-types.ts';
import { isLuhnValid } from './is-luhn-valid.ts';

const groupStart = /(?<!\d)\d+/g;
const nextGroup = /[ -](\d+)/y;

/**
 * Payment card numbers: 13 to 19 digits passing the Luhn check, contiguous or in groups joined by
 * single spaces or dashes ("4111 1111 1111 1111", "3782-822463-10005"). Whole groups only: from
 * each group, left to right, the longest valid number, so a card next to other digit groups (a
 * reference, a phone number) is still found. A candidate spans at most 19 digits and 18
 * separators, which bounds what a stream must hold back.
 */
export function findCardNumbers(text: string, from: number): TextMatch[] {
  const matches: TextMatch[] = [];
  groupStart.lastIndex = from;
  for (let group = groupStart.exec(text); group; group = groupStart.exec(text)) {
    const end = longestCardEnd(text, group.index, group[0]);
    if (end === undefined) continue;
    matches.push({ start: group.index, end, replacement: '[REDACTED_CC]', label: 'card' });
    groupStart.lastIndex = end;
  }
  return matches;
}

function longestCardEnd(text: string, start: number, firstGroup: string): number | undefined {
  let digits = firstGroup;
  let end = start + firstGroup.length;
  let longest: number | undefined;
  for (;;) {
    if (digits.length > 19) return longest;
    if (digits.length >= 13 && isLuhnValid(digits)) longest = end;
    nextGroup.lastIndex = end;
    const next = nextGroup.exec(text);
    if (!next) return longest;
    digits += next[1];
    end = nextGroup.lastIndex;
  }
}

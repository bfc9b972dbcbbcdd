import { GuardrailBlocked } from '../runtime-error.ts';
import { findRegexMatches } from './find-regex-matches.ts';
import type { GuardrailSide, GuardrailType, TextMatch, TextStage } from './guardrail-types.ts';
import { patternHoldbackChars } from './pattern-holdback-chars.ts';

/**
 * content_filter: each blocked pattern, compiled once, case-insensitive as upstream's (Python
 * re.IGNORECASE). Matches of different patterns that overlap become one [FILTERED], so a
 * placeholder is never itself filtered by a later pattern.
 */
export function createPatternStage(rule: {
  type: GuardrailType;
  side: GuardrailSide;
  /** `label` names the pattern in a block message, e.g. `blocked_patterns[2]`. */
  patterns: readonly { source: string; label: string }[];
  blocks: boolean;
}): TextStage {
  const compiled = rule.patterns.map((pattern) => ({ regex: new RegExp(pattern.source, 'gi'), label: pattern.label }));
  const holdback = patternHoldbackChars(rule.patterns.map((pattern) => pattern.source));
  return {
    findMatches(text, from) {
      const found = compiled
        .flatMap(({ regex, label }) => findRegexMatches(regex, text, from, { replacement: '[FILTERED]', label }))
        .sort((a, b) => a.start - b.start || b.end - a.end);
      const merged: TextMatch[] = [];
      for (const match of found) {
        const previous = merged.at(-1);
        if (previous && match.start < previous.end) previous.end = Math.max(previous.end, match.end);
        else merged.push({ ...match });
      }
      return merged;
    },
    holdFrom: (text) => Math.max(0, text.length - holdback),
    blockedBy: rule.blocks
      ? (match) => new GuardrailBlocked(rule.type, `${rule.side} blocked by ${rule.type}: it matches ${match.label}`)
      : undefined,
  };
}

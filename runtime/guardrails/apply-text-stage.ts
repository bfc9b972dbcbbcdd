import type { TextMatch, TextStage } from './guardrail-types.ts';
import { replaceMatches } from './replace-matches.ts';

/** Runs a stage over a whole text: throws its block error at the first match, or replaces every match. */
export function applyTextStage(stage: TextStage, text: string): { text: string; matches: TextMatch[] } {
  const matches = stage.findMatches(text, 0);
  const first = matches[0];
  if (first && stage.blockedBy) throw stage.blockedBy(first);
  return { text: replaceMatches(text, 0, text.length, matches), matches };
}

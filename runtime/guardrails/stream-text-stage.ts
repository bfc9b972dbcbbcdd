import type { StreamProcessor, TextMatch, TextStage } from './guardrail-types.ts';
import { replaceMatches } from './replace-matches.ts';
import { streamHoldbackChars } from './stream-holdback-chars.ts';

/**
 * A stage over a stream, giving out exactly what applyTextStage gives for the whole text. Text is
 * released up to a cut that no match can cross: before the stage's holdFrom (where a match may
 * still be growing) and never inside a match found so far. Released text stays behind as context
 * (streamHoldbackChars of it), so lookbehinds see the same characters as in the whole text.
 */
export function streamTextStage(stage: TextStage, onMatches: (matches: TextMatch[]) => void): StreamProcessor {
  let context = '';
  let pending = '';

  function release(cutAt: (text: string, matches: TextMatch[]) => number): string {
    const text = context + pending;
    const from = context.length;
    const matches = stage.findMatches(text, from);
    const cut = cutAt(text, matches);
    const settled = matches.filter((match) => match.end <= cut);
    const first = settled[0];
    if (first && stage.blockedBy) throw stage.blockedBy(first);
    onMatches(settled);
    context = text.slice(Math.max(0, cut - streamHoldbackChars), cut);
    pending = text.slice(cut);
    return replaceMatches(text, from, cut, settled);
  }

  return {
    push(delta) {
      if (delta === '') return '';
      pending += delta;
      return release((text, matches) => {
        let cut = Math.max(context.length, stage.holdFrom(text));
        for (const match of matches) {
          if (match.start >= cut) break;
          if (match.end > cut) {
            cut = match.start;
            break;
          }
        }
        return cut;
      });
    },
    finish: () => release((text) => text.length),
    stopped: false,
  };
}

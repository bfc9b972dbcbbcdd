import type { StreamProcessor } from './guardrail-types.ts';
import { truncationMarker, wordsWithin } from './truncate-to-token-estimate.ts';

/**
 * cost_limit over a stream: text passes straight through until the last allowed word; after it,
 * spaces wait to see whether another word follows. One does: the stream ends there with the
 * marker, as truncateToTokenEstimate would, and `stopped` tells the engine to stop the model.
 */
export function streamTokenLimit(maxTokens: number, onTruncated: (keptWords: number) => void): StreamProcessor {
  const keptWords = wordsWithin(maxTokens);
  let words = 0;
  let isInWord = false;
  let heldSpace = '';
  let isStopped = false;

  return {
    push(text) {
      if (isStopped) return '';
      let released = '';
      let start = 0;
      for (let index = 0; index < text.length; index++) {
        const isSpace = /\s/.test(text.charAt(index));
        if (isSpace) {
          isInWord = false;
          if (words < keptWords) continue;
          released += text.slice(start, index);
          heldSpace += text.charAt(index);
          start = index + 1;
          continue;
        }
        if (isInWord) continue;
        isInWord = true;
        words++;
        if (words > keptWords) {
          isStopped = true;
          onTruncated(keptWords);
          return released + text.slice(start, index) + truncationMarker;
        }
      }
      return released + text.slice(start);
    },
    finish() {
      if (isStopped) return '';
      const space = heldSpace;
      heldSpace = '';
      return space;
    },
    get stopped() {
      return isStopped;
    },
  };
}

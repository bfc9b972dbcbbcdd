// cost_limit estimates an answer's tokens as ceil(words × 1.3), words being runs of non-space
// characters (upstream's estimate). Upstream rejoined the kept words with single spaces; this
// cuts the original text after the last kept word instead, so line breaks and lists survive.

export const truncationMarker = '... [truncated]';

/** The most words whose estimate fits: ceil(words × 13 / 10) ≤ maxTokens, in integers to avoid rounding. */
export const wordsWithin = (maxTokens: number) => Math.floor((maxTokens * 10) / 13);

export const costLimitDetail = (keptWords: number, maxTokens: number) =>
  `truncated after ${keptWords} words (about ${maxTokens} tokens)`;

export function truncateToTokenEstimate(
  text: string,
  maxTokens: number,
): { text: string; words: number; keptWords: number } {
  const keptWords = wordsWithin(maxTokens);
  const words = Array.from(text.matchAll(/\S+/g));
  if (words.length <= keptWords) return { text, words: words.length, keptWords: words.length };
  const lastKept = words[keptWords - 1];
  const end = lastKept ? lastKept.index + lastKept[0].length : 0;
  return { text: text.slice(0, end) + truncationMarker, words: words.length, keptWords };
}

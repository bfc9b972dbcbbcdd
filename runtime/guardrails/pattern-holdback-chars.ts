import { maxPatternReach } from './max-pattern-reach.ts';
import { streamHoldbackChars } from './stream-holdback-chars.ts';

/**
 * What a stream holds back for these patterns: a match that may still be forming starts within
 * its pattern's reach − 1 characters of the end ('secret' holds back 5, `\bsecret\b` 6, since its
 * last \b looks at the character after the match). A pattern without a bound, or with one past
 * the window, keeps the fixed window.
 */
export function patternHoldbackChars(sources: readonly string[]): number {
  const reach = Math.max(1, ...sources.map((source) => maxPatternReach(source, streamHoldbackChars)));
  return Math.min(streamHoldbackChars, reach - 1);
}

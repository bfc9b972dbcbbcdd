/**
 * The most of a streamed answer a blocked-pattern rule holds back, and how much released text a
 * stream keeps as lookbehind context. A pattern whose longest match has a bound holds back only
 * that (patternHoldbackChars); one without (`\w+`, `.*`) can match anything, so it holds back this
 * fixed window: a match of at most 256 characters is filtered in a stream exactly as in the whole
 * text, a longer one may be cut by the stream. PII patterns have a known longest match and hold
 * back only the word or number still being written (create-pii-stages.ts).
 */
export const streamHoldbackChars = 256;

/**
 * How much of a streamed answer a blocked-pattern rule holds back (and how much released text it
 * keeps as lookbehind context). An agent's own regular expression can match anything, so this is
 * a fixed bound: a match of at most 256 characters is filtered in a stream exactly as in the whole
 * text; a longer one may be cut by the stream. PII patterns have a known longest match and hold
 * back only the word or number still being written (create-pii-stages.ts).
 */
export const streamHoldbackChars = 256;

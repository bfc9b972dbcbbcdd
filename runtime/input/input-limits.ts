/**
 * How deeply a JSON document from a caller (a request body, a WebSocket message) may nest,
 * counted in objects and arrays from the document itself (level 1). Far beyond any real body
 * (a run's `context` rarely goes past 3), far below what overflows the stack when something
 * later serialises it: a 10 KB body nested 5,000 levels used to crash `JSON.stringify`.
 */
export const maxJsonDepth = 32;

/** What a NUL is refused with: PostgreSQL cannot store U+0000 in text, and nothing needs it. */
export const nulRefusal = 'must not contain NUL (U+0000)';

import { z } from 'zod';

/**
 * A whole number from a query string (`?days=7`), read strictly: digits only. `Number()`, which
 * z.coerce uses, reads `0x10` as 16, `1e1` as 10 and ` 7 ` as 7, none of which the documents
 * promise. Documented as an integer with its bounds, since the preprocessing has no JSON Schema.
 */
export function queryInteger(bounds: { min: number; max: number; default: number }) {
  const message = `must be a whole number from ${bounds.min} to ${bounds.max}`;
  return z.preprocess(
    (value) => (typeof value === 'string' && /^[0-9]{1,15}$/.test(value) ? Number(value) : value),
    // The default inside the pipe, so the document shows it.
    z.int({ error: message }).min(bounds.min, message).max(bounds.max, message).default(bounds.default),
  );
}

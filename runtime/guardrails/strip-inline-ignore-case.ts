/**
 * A pattern as upstream writes it for Python's `re`, where a leading `(?i)` turns on case-insensitive
 * matching. JavaScript has no such global inline flag, and every pattern here is matched
 * case-insensitively anyway, so the prefix is dropped; any other inline flag stays an error.
 */
export function stripInlineIgnoreCase(pattern: string): string {
  return pattern.replace(/^\(\?i\)/, '');
}

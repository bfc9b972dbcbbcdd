/**
 * The program's result as text, the way upstream writes it (Python's json.dumps: ", " and ": "
 * between items, non-ASCII kept): it is what a narrate: false agent answers, and what the
 * narration call reads.
 */
export function formatGlyphResult(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(formatGlyphResult).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}: ${formatGlyphResult(item)}`).join(', ')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
  return JSON.stringify(value);
}

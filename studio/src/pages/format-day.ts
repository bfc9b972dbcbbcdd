/**
 * An API timestamp (ISO 8601, UTC) as its UTC day, `2026-12-02`: the day the API counts in, the
 * same in every time zone, and unambiguous in every language.
 */
export function formatDay(timestamp: string | null): string {
  if (!timestamp) return '—';
  const date = new Date(timestamp);
  return Number.isNaN(date.getTime()) ? timestamp : date.toISOString().slice(0, 10);
}

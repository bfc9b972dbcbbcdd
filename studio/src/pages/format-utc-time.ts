/**
 * An API timestamp (ISO 8601, UTC) to the second, in UTC: `2026-12-02 09:00:00 UTC`. Schedules
 * and runs need the hour, and UTC reads the same for every member of an org, wherever they are
 * (a schedule's own time zone is shown beside it).
 */
export function formatUtcTime(timestamp: string | null): string {
  if (!timestamp) return '—';
  const date = new Date(timestamp);
  return Number.isNaN(date.getTime()) ? timestamp : `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

import { describe, expect, it } from 'vitest';
import { formatUtcTime } from './format-utc-time.ts';

describe('formatUtcTime', () => {
  it('shows a timestamp to the second in UTC, whatever offset it came with', () => {
    expect(formatUtcTime('2026-12-02T09:00:00.000Z')).toBe('2026-12-02 09:00:00 UTC');
    expect(formatUtcTime('2026-12-03T00:30:15+01:00')).toBe('2026-12-02 23:30:15 UTC');
  });

  it('shows a dash for a time that is not set (a run not started yet)', () => {
    expect(formatUtcTime(null)).toBe('—');
  });

  it('shows text that is not a timestamp as it came', () => {
    expect(formatUtcTime('soon')).toBe('soon');
  });
});

import { describe, expect, it } from 'vitest';
import { formatDay } from './format-day.ts';

describe('formatDay', () => {
  it('shows a timestamp as its UTC day, whatever the hour', () => {
    expect(formatDay('2026-12-02T23:59:59.000Z')).toBe('2026-12-02');
    expect(formatDay('2026-12-03T00:00:00+01:00')).toBe('2026-12-02');
  });

  it('shows a dash for a time that never was (a key never used)', () => {
    expect(formatDay(null)).toBe('—');
  });

  it('shows text that is not a timestamp as it came', () => {
    expect(formatDay('soon')).toBe('soon');
  });
});

import { describe, expect, it } from 'vitest';
import { describeCost, formatUsd } from './format-usd.ts';

describe('formatUsd', () => {
  it('shows cents from a dollar up and four significant digits below', () => {
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(12.345)).toBe('$12.35');
    expect(formatUsd(1234.5)).toBe('$1,234.50');
    expect(formatUsd(0.0004069)).toBe('$0.0004069');
    expect(formatUsd(0.123456)).toBe('$0.1235');
  });

  it('says how many runs a cost leaves out', () => {
    expect(describeCost(0.5, 0)).toBe('$0.50');
    expect(describeCost(0, 1)).toBe('$0.00 (1 run unpriced)');
    expect(describeCost(0.0000405, 3)).toBe('$0.0000405 (3 runs unpriced)');
  });
});

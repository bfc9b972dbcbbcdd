import { describe, expect, it } from 'vitest';
import { createBackoff } from './exponential-backoff.ts';

describe('createBackoff', () => {
  it('doubles the delay with every attempt up to the maximum', () => {
    const backoff = createBackoff({ initialMs: 500, maxMs: 30_000, random: () => 0 });

    const delays = Array.from({ length: 9 }, () => backoff.next());

    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('adds up to a fifth of jitter, never beyond the maximum', () => {
    const backoff = createBackoff({ initialMs: 500, maxMs: 1_100, random: () => 0.999 });

    expect([backoff.next(), backoff.next()]).toEqual([expect.closeTo(600, 0), 1_100]);
  });

  it('starts from the initial delay again after a reset', () => {
    const backoff = createBackoff({ initialMs: 500, maxMs: 30_000, random: () => 0 });
    backoff.next();
    backoff.next();

    backoff.reset();

    expect(backoff.next()).toBe(500);
  });
});

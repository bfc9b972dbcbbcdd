import { describe, expect, it } from 'vitest';
import { describeRateLimit, formatCount } from './describe-rate-limit.ts';

describe('describeRateLimit, the daily run budget in words', () => {
  it('says what is left of today and how long until midnight UTC', () => {
    const state = describeRateLimit({
      dailyLimit: 1000,
      remainingToday: 577,
      now: new Date('2026-12-02T14:43:00Z'),
    });

    expect(state).toEqual({
      left: '577 of 1,000 runs left today.',
      reset: 'The count starts again at midnight UTC, in 9 h 17 min.',
      isExhausted: false,
    });
  });

  it('says runs are refused until midnight UTC once the limit is used up', () => {
    const state = describeRateLimit({ dailyLimit: 1000, remainingToday: 0, now: new Date('2026-12-02T23:59:30Z') });

    expect(state.isExhausted).toBe(true);
    expect(state.left).toBe('No runs left today: all 1,000 are used. Runs answer 429 until the count starts again.');
    expect(state.reset).toBe('The count starts again at midnight UTC, in 1 min.');
  });

  it('counts to the UTC midnight, not the local one, at the last hour of a month', () => {
    const state = describeRateLimit({ dailyLimit: 5, remainingToday: 5, now: new Date('2026-12-31T23:00:00Z') });

    expect(state.reset).toBe('The count starts again at midnight UTC, in 1 h 0 min.');
  });
});

describe('formatCount', () => {
  it('groups thousands with commas', () => {
    expect(formatCount(189540)).toBe('189,540');
  });
});

import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limiter.ts';

function aClock(startMs = 1_000_000) {
  let nowMs = startMs;
  return { now: () => nowMs, advance: (ms: number) => (nowMs += ms) };
}

describe('createRateLimiter', () => {
  it('doubles the delay of a key with every failure, starting from the base delay', () => {
    const limiter = createRateLimiter({ baseDelayMs: 5, now: aClock().now });

    const delays = [1, 2, 3, 4, 5].map(() => limiter.when('org-a'));

    expect(delays).toEqual([5, 10, 20, 40, 80]);
    expect(limiter.failures('org-a')).toBe(5);
  });

  it('caps the delay of a key at the maximum delay', () => {
    const limiter = createRateLimiter({ baseDelayMs: 5, maxDelayMs: 1_000, now: aClock().now });

    const delays = Array.from({ length: 12 }, () => limiter.when('org-a'));

    expect(delays.slice(-4)).toEqual([1_000, 1_000, 1_000, 1_000]);
    expect(Math.max(...delays)).toBe(1_000);
  });

  it('keeps the backoff of each key apart', () => {
    const limiter = createRateLimiter({ baseDelayMs: 5, now: aClock().now });
    limiter.when('org-a');
    limiter.when('org-a');

    expect(limiter.when('org-b')).toBe(5);
    expect(limiter.when('org-a')).toBe(20);
  });

  it('starts a forgotten key from the base delay again', () => {
    const limiter = createRateLimiter({ baseDelayMs: 5, now: aClock().now });
    limiter.when('org-a');
    limiter.when('org-a');

    limiter.forget('org-a');

    expect(limiter.failures('org-a')).toBe(0);
    expect(limiter.when('org-a')).toBe(5);
  });

  it('delays retries beyond the burst to the global rate, whichever keys they are for', () => {
    const limiter = createRateLimiter({ baseDelayMs: 1, ratePerSecond: 10, burst: 3, now: aClock().now });

    const delays = ['a', 'b', 'c', 'd', 'e'].map((key) => limiter.when(key));

    expect(delays).toEqual([1, 1, 1, 100, 200]);
  });

  it('refills the global bucket as time passes, up to the burst', () => {
    const clock = aClock();
    const limiter = createRateLimiter({ baseDelayMs: 1, ratePerSecond: 10, burst: 2, now: clock.now });
    limiter.when('a');
    limiter.when('b');

    clock.advance(60_000);

    expect([limiter.when('c'), limiter.when('d'), limiter.when('e')]).toEqual([1, 1, 100]);
  });
});

import { describe, expect, it } from 'vitest';
import { createRateLimiter, type RateLimit } from './rate-limiter.ts';

function aClock(startIso = '2026-03-01T12:00:00.000Z') {
  let now = new Date(startIso);
  return {
    clock: () => now,
    advanceSeconds(seconds: number) {
      now = new Date(now.getTime() + seconds * 1000);
    },
  };
}

const twoPerMinute: RateLimit = { window_seconds: 60, max_calls: 2 };

describe('createRateLimiter', () => {
  it('allows calls up to max_calls within the window', () => {
    const { clock } = aClock();
    const limiter = createRateLimiter({ clock });

    const decisions = [1, 2].map(() => limiter.tryAcquire({ agent: 'a', tool: 'web_search', limit: twoPerMinute }));

    expect(decisions).toEqual([{ allowed: true }, { allowed: true }]);
  });

  it('refuses the call past max_calls and says when to retry', () => {
    const time = aClock();
    const limiter = createRateLimiter({ clock: time.clock });
    limiter.tryAcquire({ agent: 'a', tool: 'web_search', limit: twoPerMinute });
    time.advanceSeconds(20);
    limiter.tryAcquire({ agent: 'a', tool: 'web_search', limit: twoPerMinute });

    const decision = limiter.tryAcquire({ agent: 'a', tool: 'web_search', limit: twoPerMinute });

    expect(decision).toEqual({ allowed: false, retryAfterSeconds: 40 });
  });

  it('slides: a call is allowed again once the oldest one leaves the window', () => {
    const time = aClock();
    const limiter = createRateLimiter({ clock: time.clock });
    limiter.tryAcquire({ agent: 'a', tool: 'web_search', limit: twoPerMinute });
    time.advanceSeconds(30);
    limiter.tryAcquire({ agent: 'a', tool: 'web_search', limit: twoPerMinute });
    time.advanceSeconds(31);

    const decision = limiter.tryAcquire({ agent: 'a', tool: 'web_search', limit: twoPerMinute });

    expect(decision).toEqual({ allowed: true });
  });

  it('keeps the window across the boundary of fixed minutes', () => {
    const time = aClock('2026-03-01T12:00:50.000Z');
    const limiter = createRateLimiter({ clock: time.clock });
    limiter.tryAcquire({ agent: 'a', tool: 'web_search', limit: twoPerMinute });
    limiter.tryAcquire({ agent: 'a', tool: 'web_search', limit: twoPerMinute });
    time.advanceSeconds(15);

    const decision = limiter.tryAcquire({ agent: 'a', tool: 'web_search', limit: twoPerMinute });

    expect(decision.allowed).toBe(false);
  });

  it('counts each (agent, tool) pair on its own', () => {
    const { clock } = aClock();
    const limiter = createRateLimiter({ clock });
    const oncePerMinute = { window_seconds: 60, max_calls: 1 };
    limiter.tryAcquire({ agent: 'a', tool: 'web_search', limit: oncePerMinute });

    const decisions = [
      limiter.tryAcquire({ agent: 'b', tool: 'web_search', limit: oncePerMinute }),
      limiter.tryAcquire({ agent: 'a', tool: 'http_request', limit: oncePerMinute }),
    ];

    expect(decisions).toEqual([{ allowed: true }, { allowed: true }]);
  });

  it('does not count refused calls against the window', () => {
    const time = aClock();
    const limiter = createRateLimiter({ clock: time.clock });
    const oncePerMinute = { window_seconds: 60, max_calls: 1 };
    limiter.tryAcquire({ agent: 'a', tool: 't', limit: oncePerMinute });
    time.advanceSeconds(59);
    limiter.tryAcquire({ agent: 'a', tool: 't', limit: oncePerMinute });
    time.advanceSeconds(2);

    const decision = limiter.tryAcquire({ agent: 'a', tool: 't', limit: oncePerMinute });

    expect(decision).toEqual({ allowed: true });
  });
});

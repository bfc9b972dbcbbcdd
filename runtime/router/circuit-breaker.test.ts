import { describe, expect, it } from 'vitest';
import { createCircuitBreaker } from './circuit-breaker.ts';

describe('createCircuitBreaker', () => {
  it('stays closed below three consecutive failures', () => {
    const breaker = createCircuitBreaker();

    breaker.recordFailure(0);
    breaker.recordFailure(0);

    expect(breaker.state(0)).toBe('closed');
    expect(breaker.tryAcquire(0)).toBe(true);
  });

  it('opens after three consecutive failures and refuses requests for 60 s', () => {
    const breaker = createCircuitBreaker();

    for (let i = 0; i < 3; i++) breaker.recordFailure(1_000);

    expect(breaker.state(1_000)).toBe('open');
    expect(breaker.tryAcquire(60_999)).toBe(false);
  });

  it('a success resets the count of consecutive failures', () => {
    const breaker = createCircuitBreaker();

    breaker.recordFailure(0);
    breaker.recordFailure(0);
    breaker.recordSuccess();
    breaker.recordFailure(0);
    breaker.recordFailure(0);

    expect(breaker.state(0)).toBe('closed');
  });

  it('is half-open after 60 s and lets exactly one trial through', () => {
    const breaker = createCircuitBreaker();
    for (let i = 0; i < 3; i++) breaker.recordFailure(0);

    const first = breaker.tryAcquire(60_000);
    const second = breaker.tryAcquire(60_001);

    expect(breaker.state(60_000)).toBe('half_open');
    expect([first, second]).toEqual([true, false]);
  });

  it('closes when the half-open trial succeeds', () => {
    const breaker = createCircuitBreaker();
    for (let i = 0; i < 3; i++) breaker.recordFailure(0);
    breaker.tryAcquire(60_000);

    breaker.recordSuccess();

    expect(breaker.state(60_000)).toBe('closed');
  });

  it('opens again for another 60 s when the half-open trial fails', () => {
    const breaker = createCircuitBreaker();
    for (let i = 0; i < 3; i++) breaker.recordFailure(0);
    breaker.tryAcquire(60_000);

    breaker.recordFailure(60_500);

    expect(breaker.state(120_000)).toBe('open');
    expect(breaker.state(120_500)).toBe('half_open');
  });
});

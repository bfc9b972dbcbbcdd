import { describe, expect, it } from 'vitest';
import { createToolCache } from './tool-cache.ts';

function aClock() {
  let now = new Date('2026-03-01T12:00:00.000Z');
  return {
    clock: () => now,
    advanceSeconds(seconds: number) {
      now = new Date(now.getTime() + seconds * 1000);
    },
  };
}

describe('createToolCache', () => {
  it('returns a value that was set', () => {
    const cache = createToolCache({ clock: aClock().clock });
    cache.set('plan', { steps: 3 });

    const entry = cache.get('plan');

    expect(entry).toEqual({ found: true, value: { steps: 3 } });
  });

  it('forgets an entry once its ttl has passed', () => {
    const time = aClock();
    const cache = createToolCache({ clock: time.clock });
    cache.set('token', 'abc', { ttlSeconds: 10 });
    time.advanceSeconds(10);

    const entry = cache.get('token');

    expect(entry).toEqual({ found: false });
  });

  it('drops the least recently used entry when it holds max_entries', () => {
    const cache = createToolCache({ clock: aClock().clock, limits: { maxEntries: 2 } });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.get('a');

    cache.set('c', 3);

    expect(['a', 'b', 'c'].map((key) => cache.get(key).found)).toEqual([true, false, true]);
  });

  it('drops old entries to stay within its byte budget', () => {
    const cache = createToolCache({ clock: aClock().clock, limits: { maxBytes: 100 } });
    cache.set('first', 'x'.repeat(60));

    cache.set('second', 'y'.repeat(60));

    expect(cache.get('first').found).toBe(false);
  });

  it('refuses a single value larger than max_value_bytes', () => {
    const cache = createToolCache({ clock: aClock().clock, limits: { maxValueBytes: 10 } });

    expect(() => cache.set('big', 'z'.repeat(20))).toThrow(/larger than the cache allows/);
  });

  it('says whether delete removed anything', () => {
    const cache = createToolCache({ clock: aClock().clock });
    cache.set('a', 1);

    const results = [cache.delete('a'), cache.delete('a')];

    expect(results).toEqual([true, false]);
  });
});

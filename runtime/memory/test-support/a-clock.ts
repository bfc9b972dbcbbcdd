export interface FakeClock {
  now: () => Date;
  advanceSeconds(seconds: number): void;
}

/** A clock that only moves when a test moves it. */
export function aClock(start = new Date('2026-03-01T10:00:00.000Z')): FakeClock {
  let nowMs = start.getTime();
  return {
    now: () => new Date(nowMs),
    advanceSeconds(seconds) {
      nowMs += seconds * 1000;
    },
  };
}

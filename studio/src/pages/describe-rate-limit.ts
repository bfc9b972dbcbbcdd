const minuteMs = 60_000;

/**
 * The org's daily run budget in words: what is left of today, and when the count starts again
 * (the API's day is the UTC day: midnight UTC, whatever the browser's time zone).
 */
export function describeRateLimit(input: { dailyLimit: number; remainingToday: number; now: Date }): {
  left: string;
  reset: string;
  isExhausted: boolean;
} {
  const { dailyLimit, remainingToday, now } = input;
  const nextMidnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  const minutesLeft = Math.max(1, Math.ceil((nextMidnight - now.getTime()) / minuteMs));
  const hours = Math.floor(minutesLeft / 60);
  const minutes = minutesLeft % 60;
  const wait = hours > 0 ? `${hours} h ${minutes} min` : `${minutes} min`;
  const isExhausted = remainingToday <= 0;
  return {
    left: isExhausted
      ? `No runs left today: all ${formatCount(dailyLimit)} are used. Runs answer 429 until the count starts again.`
      : `${formatCount(remainingToday)} of ${formatCount(dailyLimit)} runs left today.`,
    reset: `The count starts again at midnight UTC, in ${wait}.`,
    isExhausted,
  };
}

/** 189540 → `189,540`: the same grouping whatever the browser's language, as the tests read it. */
export function formatCount(value: number): string {
  return value.toLocaleString('en-US');
}

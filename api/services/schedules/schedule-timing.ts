import { Cron } from 'croner';
import { InvalidInput } from '../../errors.ts';

// A missed tick is caught up only while it is younger than this (README: "Schedules")...
const maxGraceSeconds = 3_600;
// ...and never less than this, so a poll that runs late on a loaded replica skips no tick of a
// schedule that fires every few seconds (only tests allow those: ASTROMESH_SCHEDULE_MIN_INTERVAL_SECONDS).
const minGraceSeconds = 10;
// Gaps between this many coming ticks give a schedule's interval: enough for `0 9,17 * * 1-5`'s shortest.
const ticksForInterval = 12;

/** A schedule's cron expression in its time zone, checked, with its shortest interval. */
export interface ScheduleTiming {
  cron: Cron;
  /** The shortest gap between its coming ticks. */
  intervalSeconds: number;
}

/**
 * Checks a schedule's cron expression and time zone: five fields (minute hour day-of-month month
 * day-of-week; six with seconds first only when `minIntervalSeconds` is under 60), an IANA zone,
 * a tick to come, and no two ticks closer than `minIntervalSeconds`. Errors name `cron` or `timezone`.
 */
export function scheduleTimingOf(input: {
  cron: string;
  timezone: string;
  minIntervalSeconds: number;
  now: Date;
}): ScheduleTiming {
  if (!isTimeZone(input.timezone))
    throw new InvalidInput(
      `timezone: '${input.timezone}' is not an IANA time zone (e.g. UTC, Europe/Paris, America/New_York)`,
      400,
      'timezone',
    );
  const fields = input.cron.trim().split(/\s+/).length;
  const allowsSeconds = input.minIntervalSeconds < 60;
  if (fields !== 5 && !(allowsSeconds && fields === 6))
    throw new InvalidInput(
      `cron: must have 5 fields (minute hour day-of-month month day-of-week), '${input.cron}' has ${fields}`,
      400,
      'cron',
    );
  let cron: Cron;
  try {
    cron = new Cron(input.cron.trim(), {
      timezone: input.timezone,
      paused: true,
      mode: fields === 6 ? '6-part' : '5-part',
    });
  } catch (err) {
    const reason = err instanceof Error ? err.message.replace(/^CronPattern: /, '') : String(err);
    throw new InvalidInput(`cron: ${reason}`, 400, 'cron');
  }
  const coming = cron.nextRuns(ticksForInterval, input.now);
  if (coming.length === 0) throw new InvalidInput(`cron: '${input.cron}' never fires (no such date)`, 400, 'cron');
  let intervalSeconds = Number.POSITIVE_INFINITY;
  coming.reduce((previous, tick) => {
    intervalSeconds = Math.min(intervalSeconds, (tick.getTime() - previous.getTime()) / 1_000);
    return tick;
  });
  if (intervalSeconds < input.minIntervalSeconds)
    throw new InvalidInput(
      `cron: '${input.cron}' fires every ${intervalSeconds} s; a schedule may fire at most once every ${input.minIntervalSeconds} s`,
      400,
      'cron',
    );
  return { cron, intervalSeconds };
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return name.length > 0;
  } catch {
    return false;
  }
}

/** The next tick after `after`, or null when the expression fires no more. */
export function nextTickAfter(timing: ScheduleTiming, after: Date): Date | null {
  return timing.cron.nextRun(after);
}

/** How long a missed tick stays worth running: the schedule's interval, at most an hour (and at least 10 s). */
export function graceSecondsOf(timing: ScheduleTiming): number {
  return Math.max(minGraceSeconds, Math.min(timing.intervalSeconds, maxGraceSeconds));
}

// Ticks counted one by one when skipped: a schedule down for years is said to have skipped this many.
const maxCountedSkips = 100_000;

/** What to do with a schedule whose tick `dueAt` has come, at `now`: the tick to run (if any), the ticks skipped, the next one. */
export interface TickPlan {
  /** The tick to run now; null when every due tick is older than the grace window. */
  tickAt: Date | null;
  /** Due ticks older than the grace window, skipped (counted up to 100,000). */
  skipped: number;
  /** Where next_run_at moves: the tick after the one run, or the first tick after now. */
  nextRunAt: Date | null;
}

/**
 * The missed-tick policy (README: "Schedules"): the oldest due tick younger than the grace window
 * runs, and the following one is claimed on the next poll; due ticks older than the window are
 * skipped and counted. With the grace no longer than the interval, a replica that comes back after
 * downtime runs at most one missed tick (the latest, if it is recent enough).
 */
export function planTick(timing: ScheduleTiming, input: { dueAt: Date; now: Date }): TickPlan {
  const oldestWorthRunning = input.now.getTime() - graceSecondsOf(timing) * 1_000;
  let tick: Date | null = input.dueAt;
  let skipped = 0;
  while (tick && tick.getTime() < oldestWorthRunning && skipped < maxCountedSkips) {
    skipped++;
    tick = timing.cron.nextRun(tick);
  }
  if (tick && tick.getTime() < oldestWorthRunning) {
    // Past the counting bound: jump to the grace window.
    tick = timing.cron.nextRun(new Date(oldestWorthRunning - 1));
  }
  if (tick && tick.getTime() <= input.now.getTime())
    return { tickAt: tick, skipped, nextRunAt: timing.cron.nextRun(tick) };
  return { tickAt: null, skipped, nextRunAt: tick };
}

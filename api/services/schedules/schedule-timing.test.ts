import { describe, expect, it } from 'vitest';
import { planTick, scheduleTimingOf } from './schedule-timing.ts';

const timingOf = (cron: string, timezone = 'UTC', now = new Date('2026-03-10T10:00:30Z')) =>
  scheduleTimingOf({ cron, timezone, minIntervalSeconds: 1, now });

describe('schedule timing', () => {
  it('runs a tick that is due now and skips nothing', () => {
    const timing = timingOf('* * * * *');

    const plan = planTick(timing, {
      dueAt: new Date('2026-03-10T10:00:00Z'),
      now: new Date('2026-03-10T10:00:00.400Z'),
    });

    expect(plan).toEqual({
      tickAt: new Date('2026-03-10T10:00:00Z'),
      skipped: 0,
      nextRunAt: new Date('2026-03-10T10:01:00Z'),
    });
  });

  it('after an hour down, runs the last minute’s tick of a per-minute schedule and skips the 59 before it', () => {
    const timing = timingOf('* * * * *');

    const plan = planTick(timing, { dueAt: new Date('2026-03-10T09:00:00Z'), now: new Date('2026-03-10T10:00:30Z') });

    expect(plan).toEqual({
      tickAt: new Date('2026-03-10T10:00:00Z'),
      skipped: 60,
      nextRunAt: new Date('2026-03-10T10:01:00Z'),
    });
  });

  it('skips a daily tick missed by more than an hour and moves to tomorrow’s', () => {
    const timing = timingOf('0 8 * * *');

    const plan = planTick(timing, { dueAt: new Date('2026-03-10T08:00:00Z'), now: new Date('2026-03-10T10:00:00Z') });

    expect(plan).toEqual({ tickAt: null, skipped: 1, nextRunAt: new Date('2026-03-11T08:00:00Z') });
  });

  it('still runs a daily tick missed by less than an hour', () => {
    const timing = timingOf('0 8 * * *');

    const plan = planTick(timing, { dueAt: new Date('2026-03-10T08:00:00Z'), now: new Date('2026-03-10T08:40:00Z') });

    expect(plan).toMatchObject({ tickAt: new Date('2026-03-10T08:00:00Z'), skipped: 0 });
  });

  it('catches up a per-second schedule whose poll ran a few seconds late, one tick at a time', () => {
    const timing = timingOf('* * * * * *');

    const plan = planTick(timing, { dueAt: new Date('2026-03-10T10:00:00Z'), now: new Date('2026-03-10T10:00:03Z') });

    expect(plan).toEqual({
      tickAt: new Date('2026-03-10T10:00:00Z'),
      skipped: 0,
      nextRunAt: new Date('2026-03-10T10:00:01Z'),
    });
  });

  it('keeps 09:00 in Paris at 09:00 across the change to summer time', () => {
    const timing = timingOf('0 9 * * *', 'Europe/Paris', new Date('2026-03-27T12:00:00Z'));

    const ticks = timing.cron.nextRuns(3, new Date('2026-03-27T12:00:00Z'));

    expect(ticks.map((tick) => tick.toISOString())).toEqual([
      '2026-03-28T08:00:00.000Z',
      '2026-03-29T07:00:00.000Z',
      '2026-03-30T07:00:00.000Z',
    ]);
  });
});

import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startPeriodicResync } from './start-periodic-resync.ts';

const log = pino({ level: 'silent' });

describe('startPeriodicResync', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs the resync once per interval', async () => {
    const resync = vi.fn(async () => undefined);
    const periodic = startPeriodicResync({ intervalMs: 1_000, resync, log });

    await vi.advanceTimersByTimeAsync(3_500);

    expect(resync).toHaveBeenCalledTimes(3);
    await periodic.stop();
  });

  it('skips a run while the previous one is still going', async () => {
    let finish: () => void = () => undefined;
    const resync = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const periodic = startPeriodicResync({ intervalMs: 1_000, resync, log });

    await vi.advanceTimersByTimeAsync(3_500);
    finish();
    await vi.advanceTimersByTimeAsync(1_000);

    expect(resync).toHaveBeenCalledTimes(2);
    finish();
    await periodic.stop();
  });

  it('keeps going after a failed run', async () => {
    const resync = vi.fn().mockRejectedValueOnce(new Error('apiserver unavailable')).mockResolvedValue(undefined);
    const periodic = startPeriodicResync({ intervalMs: 1_000, resync, log });

    await vi.advanceTimersByTimeAsync(2_500);

    expect(resync).toHaveBeenCalledTimes(2);
    await periodic.stop();
  });

  it('runs no more once stopped, and waits for the run in progress', async () => {
    let finish: () => void = () => undefined;
    const resync = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const periodic = startPeriodicResync({ intervalMs: 1_000, resync, log });
    await vi.advanceTimersByTimeAsync(1_000);

    let stopped = false;
    const stopping = periodic.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(0);
    const stoppedBeforeTheRunEnded = stopped;
    finish();
    await stopping;
    await vi.advanceTimersByTimeAsync(5_000);

    expect(stoppedBeforeTheRunEnded).toBe(false);
    expect(resync).toHaveBeenCalledTimes(1);
  });
});

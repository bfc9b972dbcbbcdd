import { describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/eventually.ts';
import { recordInBackground } from './record-in-background.ts';

/** A recorder whose recordings finish only when the test says so. */
function aHeldRecorder() {
  const started: number[] = [];
  const finishers: Array<() => void> = [];
  const record = (input: number) =>
    new Promise<void>((resolve) => {
      started.push(input);
      finishers.push(resolve);
    });
  const finishAll = () => {
    for (const finish of finishers.splice(0)) finish();
  };
  return { record, started, finishAll };
}

describe('recordInBackground', () => {
  it('returns at once and records with at most `concurrency` in flight, in order', async () => {
    const held = aHeldRecorder();
    const recorder = recordInBackground(held.record, { concurrency: 2 });
    for (const input of [1, 2, 3, 4, 5]) await recorder.record(input);
    expect(held.started).toEqual([1, 2]);
    expect(recorder.pending).toBe(3);

    held.finishAll();
    await eventually(() => expect(held.started).toEqual([1, 2, 3, 4]));
    held.finishAll();
    await eventually(() => expect(held.started).toEqual([1, 2, 3, 4, 5]));
    expect(recorder.pending).toBe(0);
  });

  it('keeps at most `maxPending` waiting under a flood and drops the rest, counting them', async () => {
    const held = aHeldRecorder();
    const drops: number[] = [];
    const recorder = recordInBackground(held.record, {
      concurrency: 1,
      maxPending: 3,
      onDropped: (dropped) => drops.push(dropped),
    });
    for (let input = 1; input <= 10_000; input++) await recorder.record(input);
    expect(held.started).toEqual([1]);
    expect(recorder.pending).toBe(3);
    expect(drops.at(-1)).toBe(10_000 - 4);
  });

  it('drops what waits on stop and waits for what is in flight', async () => {
    const held = aHeldRecorder();
    const recorder = recordInBackground(held.record, { concurrency: 1 });
    for (const input of [1, 2, 3]) await recorder.record(input);
    let isStopped = false;
    const stopped = recorder.stop().then(() => {
      isStopped = true;
    });
    await Promise.resolve();
    expect(isStopped).toBe(false);
    held.finishAll();
    await stopped;
    await recorder.record(4);
    expect(held.started).toEqual([1]);
    expect(recorder.pending).toBe(0);
  });
});

import { describe, expect, it } from 'vitest';
import { createWriteBatcher } from './create-write-batcher.ts';

/** A batcher whose writes wait until the test lets the oldest one finish, or fail it. */
function aBatcher(maxBatch = 100) {
  const batches: number[][] = [];
  const inFlight: { finish: () => void; fail: (err: Error) => void }[] = [];
  const write = createWriteBatcher<number>({
    maxBatch,
    writeAll: (items) =>
      new Promise<void>((resolve, reject) => {
        batches.push(items);
        inFlight.push({ finish: resolve, fail: reject });
      }),
  });
  const oldest = () => {
    const batch = inFlight.shift();
    if (!batch) throw new Error('no batch is being written');
    return batch;
  };
  return { write, batches, finishOldest: () => oldest().finish(), failOldest: (err: Error) => oldest().fail(err) };
}

const outcomeOf = (written: Promise<void>) =>
  written.then(
    () => 'written',
    (err: Error) => `failed: ${err.message}`,
  );

describe('a write batcher', () => {
  it('writes an item at once when nothing is being written', async () => {
    const { write, batches, finishOldest } = aBatcher();

    const written = write(1);
    finishOldest();

    expect(await outcomeOf(written)).toBe('written');
    expect(batches).toEqual([[1]]);
  });

  it('writes the items that arrive during a write together, right after it', async () => {
    const { write, batches, finishOldest } = aBatcher();
    const first = write(1);
    const during = [write(2), write(3), write(4)];

    finishOldest();
    await first;
    finishOldest();

    expect(await Promise.all(during.map(outcomeOf))).toEqual(['written', 'written', 'written']);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('writes at most maxBatch items at a time', async () => {
    const { write, batches, finishOldest } = aBatcher(2);
    const all = [write(1), write(2), write(3), write(4), write(5)];

    for (let batch = 0; batch < 3; batch++) {
      finishOldest();
      await Promise.resolve();
      await Promise.resolve();
    }

    expect(await Promise.all(all.map(outcomeOf))).toEqual(['written', 'written', 'written', 'written', 'written']);
    expect(batches).toEqual([[1], [2, 3], [4, 5]]);
  });

  it('fails every item of a failed batch, and only those', async () => {
    const { write, batches, finishOldest, failOldest } = aBatcher();
    const first = write(1);
    const during = [write(2), write(3)];

    finishOldest();
    await first;
    failOldest(new Error('database unavailable'));
    const after = write(4);
    await Promise.allSettled(during);
    finishOldest();

    expect(await Promise.all([...during, after].map(outcomeOf))).toEqual([
      'failed: database unavailable',
      'failed: database unavailable',
      'written',
    ]);
    expect(batches).toEqual([[1], [2, 3], [4]]);
  });
});

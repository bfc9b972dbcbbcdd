import { describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/eventually.ts';
import { createWorkQueue } from './work-queue.ts';

describe('createWorkQueue', () => {
  it('queues a key added several times while it waits only once', async () => {
    const queue = createWorkQueue();

    queue.add('org-a');
    queue.add('org-b');
    queue.add('org-a');

    expect(queue.length).toBe(2);
    expect([await queue.get(), await queue.get()]).toEqual(['org-a', 'org-b']);
  });

  it('does not hand out a key being processed, and queues it again when it is done', async () => {
    const queue = createWorkQueue();
    queue.add('org-a');
    const first = await queue.get();

    queue.add('org-a');
    queue.add('org-a');
    const secondWorker = queue.get();
    let secondGot: string | undefined;
    void secondWorker.then((key) => {
      secondGot = key;
    });
    await Promise.resolve();

    expect(first).toBe('org-a');
    expect(queue.length).toBe(0);
    expect(secondGot).toBeUndefined();

    queue.done('org-a');

    expect(await secondWorker).toBe('org-a');
    expect(queue.length).toBe(0);
  });

  it('does not queue a processed key again when nothing added it meanwhile', async () => {
    const queue = createWorkQueue();
    queue.add('org-a');
    await queue.get();

    queue.done('org-a');

    expect(queue.length).toBe(0);
  });

  it('wakes a waiting getter when a key is added', async () => {
    const queue = createWorkQueue();
    const waiting = queue.get();

    queue.add('org-a');

    expect(await waiting).toBe('org-a');
  });

  it('adds a key after a delay, keeping the earliest of several delays', async () => {
    const queue = createWorkQueue();

    queue.addAfter('org-a', 60_000);
    queue.addAfter('org-a', 20);
    queue.addAfter('org-a', 30_000);

    expect(queue.length).toBe(0);
    expect(await queue.get()).toBe('org-a');
  });

  it('adds a failing key back after its backoff, and counts its failures until forgotten', async () => {
    const queue = createWorkQueue({ baseDelayMs: 30 });

    queue.addRateLimited('org-a');

    expect(queue.length).toBe(0);
    expect(queue.failures('org-a')).toBe(1);
    expect(await queue.get()).toBe('org-a');
    queue.done('org-a');
    queue.forget('org-a');
    expect(queue.failures('org-a')).toBe(0);
  });

  it('holds retries beyond the global burst back, whichever keys they are for', async () => {
    // One token a second: the third retry waits a second, long after the first two arrived.
    const queue = createWorkQueue({ baseDelayMs: 1, ratePerSecond: 1, burst: 2 });

    for (const key of ['org-a', 'org-b', 'org-c']) queue.addRateLimited(key);

    await eventually(() => expect(queue.length).toBe(2));
    await eventually(() => expect(queue.length).toBe(3));
  });

  it('wakes every waiting getter with undefined when shut down, and ignores later adds', async () => {
    const queue = createWorkQueue();
    const getters = [queue.get(), queue.get()];

    queue.shutDown();
    queue.add('org-a');

    expect(await Promise.all(getters)).toEqual([undefined, undefined]);
    expect(await queue.get()).toBeUndefined();
    expect(queue.isShutDown).toBe(true);
  });

  it('drops waiting and delayed keys when shut down', async () => {
    const queue = createWorkQueue();
    queue.add('org-a');
    queue.addAfter('org-b', 10);

    queue.shutDown();

    expect(queue.length).toBe(0);
    expect(await queue.get()).toBeUndefined();
  });
});

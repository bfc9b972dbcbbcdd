import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/eventually.ts';
import { DatabaseUnavailable } from '../db/database-unavailable.ts';
import { createRetryingWriter } from './create-retrying-writer.ts';

/** A writer whose database is up or down as the test says, keeping what reached it, and its log lines. */
function aWriter(options: { maxPending?: number } = {}) {
  const written: number[] = [];
  const logs: { msg: string; [field: string]: unknown }[] = [];
  const database = { isUp: true, refuse: undefined as Error | undefined };
  const log = pino(
    new Writable({
      write(chunk, _encoding, done) {
        logs.push(JSON.parse(String(chunk)));
        done();
      },
    }),
  );
  const writer = createRetryingWriter<number>({
    write: async (item) => {
      if (!database.isUp) throw new DatabaseUnavailable('connection refused');
      if (database.refuse) throw database.refuse;
      written.push(item);
    },
    describe: (item) => ({ item }),
    log,
    maxPending: options.maxPending ?? 100,
    firstDelayMs: 10,
    maxDelayMs: 40,
  });
  return { writer, written, logs, database };
}

describe('a writer that outlasts a database outage', () => {
  it('writes at once while the database is up', async () => {
    const { writer, written } = aWriter();

    await writer.write(1);

    expect(written).toEqual([1]);
  });

  it('keeps what the database cannot take, and writes it in order once the database is back', async () => {
    const { writer, written, database, logs } = aWriter();
    database.isUp = false;
    await writer.write(1);
    await writer.write(2);
    expect(writer.pendingCount()).toBe(2);
    await eventually(() => expect(logs.map((line) => line.msg)).toContain('usage records still wait for the database'));

    database.isUp = true;

    await eventually(() => expect(written).toEqual([1, 2]));
    expect(writer.pendingCount()).toBe(0);
    expect(logs.map((line) => line.msg)).toContain('usage records written after the database came back');
  });

  it('rejects, and keeps nothing, when the write fails for a reason retrying cannot mend', async () => {
    const { writer, database } = aWriter();
    database.refuse = Object.assign(new Error('violates foreign key constraint'), { code: '23503' });

    await expect(writer.write(1)).rejects.toMatchObject({ code: '23503' });

    expect(writer.pendingCount()).toBe(0);
  });

  it('writes what it kept when settled() is awaited with the database back, without waiting for the next retry', async () => {
    const { writer, written, database } = aWriter();
    database.isUp = false;
    await writer.write(1);
    database.isUp = true;

    await writer.settled();

    expect(written).toEqual([1]);
  });

  it('keeps at most maxPending and logs, in full, each item it cannot keep', async () => {
    const { writer, database, logs } = aWriter({ maxPending: 2 });
    database.isUp = false;

    for (const item of [1, 2, 3]) await writer.write(item);

    expect(writer.pendingCount()).toBe(2);
    expect(logs).toContainEqual(
      expect.objectContaining({ msg: 'usage record lost: too many wait for the database', record: { item: 3 } }),
    );
  });

  it('on shutdown, writes what it kept if the database comes back before the deadline', async () => {
    const { writer, written, database } = aWriter();
    database.isUp = false;
    await writer.write(1);

    const draining = writer.drain(new Date(Date.now() + 10_000));
    database.isUp = true;
    await draining;

    expect(written).toEqual([1]);
  });

  it('on shutdown, logs in full what it still keeps at the deadline', async () => {
    const { writer, database, logs } = aWriter();
    database.isUp = false;
    await writer.write(1);
    await writer.write(2);

    await writer.drain(new Date(Date.now() + 100));

    expect(writer.pendingCount()).toBe(0);
    expect(logs).toContainEqual(
      expect.objectContaining({
        msg: 'usage records lost: the database did not come back before shutdown',
        records: [{ item: 1 }, { item: 2 }],
      }),
    );
  });
});

import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/eventually.ts';
import { createDatabase } from './database.ts';
import { type RunningPostgres, startEmbeddedPostgres } from './embedded-postgres.ts';
import { superviseEmbeddedPostgres } from './supervise-embedded-postgres.ts';

describe('the embedded PostgreSQL supervisor', { timeout: 90_000 }, () => {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function aPostgres(): Promise<RunningPostgres> {
    const parent = mkdtempSync(join(tmpdir(), 'astromesh-supervised-'));
    // As root, PostgreSQL runs as OS user postgres, which must be able to enter this folder.
    chmodSync(parent, 0o755);
    cleanups.push(() => rmSync(parent, { recursive: true, force: true }));
    // Persistent, as npm start runs it: a throwaway cluster commits asynchronously and may lose
    // its last commits to a crash, by design.
    const postgres = await startEmbeddedPostgres({
      dataDir: join(parent, 'data'),
      port: 0,
      mode: { kind: 'persistent', passwordFile: join(parent, 'password') },
    });
    cleanups.push(() => postgres.stop());
    return postgres;
  }

  function aLog() {
    const messages: string[] = [];
    const records: Record<string, unknown>[] = [];
    const log = pino(
      new Writable({
        write(chunk, _encoding, done) {
          const record = JSON.parse(String(chunk)) as Record<string, unknown>;
          records.push(record);
          messages.push(String(record.msg));
          done();
        },
      }),
    );
    return { log, messages, records };
  }

  const poolOn = (postgres: RunningPostgres) => {
    const db = createDatabase(postgres.adminUrl, { log: pino({ level: 'silent' }) });
    cleanups.push(() => db.end());
    return db;
  };

  it('starts a killed PostgreSQL again on the same port with its data, and the same pool reaches it', async () => {
    const postgres = await aPostgres();
    const { log, messages } = aLog();
    const supervisor = superviseEmbeddedPostgres(postgres, { log });
    cleanups.push(() => supervisor.stop());
    const db = poolOn(postgres);
    await db.query('CREATE TABLE kept (n integer); INSERT INTO kept VALUES (42)');
    const killedPid = postgres.pid() as number;

    process.kill(killedPid, 'SIGKILL');

    await eventually(() => expect(supervisor.status()).toEqual({ state: 'running', restarts: 1 }), {
      timeoutMs: 30_000,
    });
    expect(postgres.pid()).not.toBe(killedPid);
    // Backends of the killed server can answer for a moment after it died: only now is the new one certain.
    await eventually(async () => expect((await db.query('SELECT n FROM kept')).rows).toEqual([{ n: 42 }]));
    expect(messages).toEqual(
      expect.arrayContaining([
        'embedded PostgreSQL exited; restarting it',
        'restarting embedded PostgreSQL',
        'embedded PostgreSQL restarted',
      ]),
    );
  });

  it('keeps trying while its port is taken, says when it is not recovering, and recovers once the port is free', async () => {
    const postgres = await aPostgres();
    const { log, records } = aLog();
    const supervisor = superviseEmbeddedPostgres(postgres, {
      log,
      delays: { firstDelayMs: 1_000, maxDelayMs: 1_000, failuresBeforeUnrecovering: 3 },
    });
    cleanups.push(() => supervisor.stop());
    let squatter: Server | undefined;
    // The port is taken before the supervisor's first try, a second later. The killed postmaster's
    // children hold its socket until they notice it is gone, so the squatter tries until it is free.
    postgres.onUnexpectedExit(() => {
      void takePort(postgres.port).then((server) => {
        squatter = server;
      });
    });
    cleanups.push(() => new Promise((resolve) => (squatter?.listening ? squatter.close(resolve) : resolve(undefined))));

    process.kill(postgres.pid() as number, 'SIGKILL');

    const stuck = await eventually(
      () => {
        const status = supervisor.status();
        expect(status).toMatchObject({ state: 'restarting', isRecovering: false });
        return status;
      },
      { timeoutMs: 30_000 },
    );
    expect(stuck).toMatchObject({ failedAttempts: 3, lastError: expect.stringMatching(/could not|FATAL/) });
    expect(
      records.filter((record) => record.msg === 'embedded PostgreSQL restart failed').length,
    ).toBeGreaterThanOrEqual(3);

    await new Promise((resolve) => squatter?.close(resolve));

    await eventually(() => expect(supervisor.status()).toMatchObject({ state: 'running' }), { timeoutMs: 30_000 });
    expect((await poolOn(postgres).query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('leaves a server stopped on purpose stopped', async () => {
    const postgres = await aPostgres();
    const { log, messages } = aLog();
    const supervisor = superviseEmbeddedPostgres(postgres, { log });
    cleanups.push(() => supervisor.stop());

    await postgres.stop();

    expect(postgres.pid()).toBeUndefined();
    expect(supervisor.status()).toEqual({ state: 'running', restarts: 0 });
    expect(messages).not.toContain('embedded PostgreSQL exited; restarting it');
  });
});

/** A server that refuses every connection on `port`, once the port is free (tried every 10 ms for 10 s). */
async function takePort(port: number): Promise<Server> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const server = createServer((socket) => socket.destroy());
    const error = await new Promise<Error | undefined>((resolve) => {
      server.once('error', resolve);
      server.listen(port, '127.0.0.1', () => resolve(undefined));
    });
    if (!error) return server;
    if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || Date.now() > deadline) throw error;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

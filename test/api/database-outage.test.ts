import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningPostgres, startEmbeddedPostgres } from '../../api/db/embedded-postgres.ts';
import type { FakeProvider } from '../fakes/fake-provider.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { devLogin } from '../support/dev-login.ts';
import { eventually } from '../support/eventually.ts';
import { jsonOf } from '../support/json-of.ts';
import { pauseProcessTree } from '../support/pause-process-tree.ts';
import { type ApiMainProcess, spawnApiMain } from '../support/spawn-api-main.ts';
import { type LoadResult, startAgentRunLoad } from '../support/start-agent-run-load.ts';
import { websocketUpgradeAnswer } from '../support/websocket-upgrade-answer.ts';

const supportBot = {
  name: 'support-bot',
  step1: { model: 'openai/gpt-4o-mini' },
  step2: { system_prompt: 'You are a helpful support agent.' },
};

const unavailable = { error: 'database_unavailable', status: 503 };

describe('the API when its database goes away', { timeout: 240_000 }, () => {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function aFolder(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    // As root, PostgreSQL runs as OS user postgres, which must be able to enter this folder.
    chmodSync(dir, 0o755);
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  async function aFakeOpenAi(): Promise<FakeProvider> {
    const fake = await startFakeProvider('openai', { defaultReply: fakeReply.text('Your order ships Monday.') });
    cleanups.push(() => fake.close());
    return fake;
  }

  /** A PostgreSQL of the test's own, so pausing or stopping it never touches the shared one. */
  async function aPostgres(dataDir: string, port = 0): Promise<RunningPostgres> {
    const postgres = await startEmbeddedPostgres({
      dataDir,
      port,
      mode: { kind: 'persistent', passwordFile: `${dataDir}.password` },
      database: 'astromesh',
    });
    cleanups.push(() => postgres.stop());
    return postgres;
  }

  async function startApi(env: Record<string, string>): Promise<{ api: ApiMainProcess; url: string }> {
    const api = spawnApiMain({ env: { PORT: '0', ASTROMESH_STATE_DIR: aFolder('astromesh-outage-'), ...env } });
    cleanups.push(() => api.stop());
    const listening = await api.waitForLog('astromesh api listening');
    return { api, url: String(listening.url) };
  }

  async function signIn(url: string) {
    const login = await devLogin(url, 'owner@example.com');
    // By default far past any bound the API promises: a hung request fails the test instead of hanging it.
    const call = (method: string, path: string, body?: unknown, answerWithinMs = 30_000) =>
      fetch(`${url}/api/v1/orgs/${login.org}${path}`, {
        method,
        headers: { authorization: `Bearer ${login.token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(answerWithinMs),
      });
    return { token: login.token, org: login.org, call };
  }

  /** Takes `port` as soon as the server that held it is gone; connections to it are reset at once. */
  async function holdPort(port: number) {
    const squatter = createServer((socket) => socket.destroy());
    await eventually(
      () =>
        new Promise<void>((resolve, reject) => {
          squatter.once('error', reject);
          squatter.listen(port, '127.0.0.1', () => {
            squatter.off('error', reject);
            resolve();
          });
        }),
      { timeoutMs: 5_000, intervalMs: 5 },
    );
    const release = () =>
      new Promise<void>((resolve) => (squatter.listening ? squatter.close(() => resolve()) : resolve()));
    cleanups.push(release);
    return { release };
  }

  const tokensOf = (results: readonly LoadResult[]) =>
    results.filter((result) => result.status === 200).reduce((sum, result) => sum + (result.tokens ?? 0), 0);

  it('restarts its embedded PostgreSQL killed under load and serves again unaided, every answered run in the usage', async () => {
    const fake = await aFakeOpenAi();
    const stateDir = aFolder('astromesh-state-');
    const { api, url } = await startApi({ ASTROMESH_STATE_DIR: stateDir, ASTROMESH_DAILY_RUNS: '100000' });
    const postgresPort = Number((await api.waitForLog('embedded PostgreSQL started')).port);
    const owner = await signIn(url);
    await owner.call('POST', '/agents', supportBot);
    await owner.call('POST', '/providers', { provider: 'openai', api_key: 'sk-outage-test', base_url: fake.baseUrl });
    expect((await owner.call('POST', '/agents/support-bot/deploy')).status).toBe(200);
    const load = startAgentRunLoad({
      url,
      org: owner.org,
      token: owner.token,
      agent: 'support-bot',
      runners: 3,
      streams: 1,
    });
    cleanups.push(() => load.stop());
    await eventually(() => expect(load.answered()).toBeGreaterThanOrEqual(20), { timeoutMs: 60_000 });
    const postmasterPid = Number(readFileSync(join(stateDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);

    process.kill(postmasterPid, 'SIGKILL');
    // Held until the outage has been seen from outside: the restarts fail while it is taken.
    const port = await holdPort(postgresPort);

    await eventually(
      () =>
        expect(load.results()).toContainEqual(expect.objectContaining({ via: 'run', ...unavailable, retryAfter: '5' })),
      { timeoutMs: 30_000 },
    );
    await eventually(
      () =>
        expect(load.results()).toContainEqual(
          expect.objectContaining({
            via: 'stream',
            ...unavailable,
            message: expect.stringContaining('try again in 5'),
            retryAfter: 5,
          }),
        ),
      { timeoutMs: 30_000 },
    );
    const readiness = await fetch(`${url}/readyz`);
    expect(readiness.status).toBe(503);
    expect(await jsonOf(readiness)).toMatchObject({
      error: 'not_ready',
      message: 'the embedded PostgreSQL is restarting',
    });
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await jsonOf(health)).toMatchObject({ checks: { embedded_postgres: 'restarting' } });
    await api.waitForLog('embedded PostgreSQL restart failed');

    await port.release();

    await eventually(async () => expect((await fetch(`${url}/readyz`)).status).toBe(200), { timeoutMs: 60_000 });
    const afterRecovery = load.results().length;
    await eventually(
      () => {
        const since = load.results().slice(afterRecovery);
        expect(since.filter((result) => result.via === 'run' && result.status === 200).length).toBeGreaterThanOrEqual(
          10,
        );
        expect(
          since.filter((result) => result.via === 'stream' && result.status === 200).length,
        ).toBeGreaterThanOrEqual(2);
      },
      { timeoutMs: 60_000 },
    );
    const results = await load.stop();
    const usage = await jsonOf(await owner.call('GET', '/usage?days=1'));

    expect(api.child.exitCode).toBeNull();
    expect(results.filter((result) => result.status === 500 || result.error === 'internal_error')).toEqual([]);
    // Every answered run and stream query used 30 tokens; a run that failed used none.
    expect(usage.total_tokens).toBe(tokensOf(results));
    expect(usage.total_requests).toBeGreaterThanOrEqual(load.answered());
    expect(api.logs().map((record) => record.msg)).toEqual(
      expect.arrayContaining(['embedded PostgreSQL exited; restarting it', 'embedded PostgreSQL restarted']),
    );
  });

  it('answers 503 within its timeouts while PostgreSQL is paused, and serves again once it resumes', async () => {
    const postgres = await aPostgres(join(aFolder('astromesh-paused-'), 'data'));
    const { url } = await startApi({
      DATABASE_URL: postgres.url,
      ASTROMESH_DB_CONNECT_TIMEOUT_SECONDS: '1',
      ASTROMESH_DB_QUERY_TIMEOUT_SECONDS: '1',
    });
    const owner = await signIn(url);
    expect((await owner.call('POST', '/agents', supportBot)).status).toBe(201);

    const paused = pauseProcessTree(postgres.pid() as number);
    cleanups.push(() => paused.resume());

    // The bound is the contract under test: 1 s to connect, or 1 s per statement plus 1 s for a
    // server that cannot answer, so well within 10 s (room for a slow machine); unbounded, they hung.
    const boundMs = 10_000;
    const during = await Promise.all([
      owner.call('GET', '/agents', undefined, boundMs),
      owner.call('GET', '/agents/support-bot', undefined, boundMs),
      owner.call('POST', '/agents', { ...supportBot, name: 'written-while-paused' }, boundMs),
      owner.call('GET', '/usage', undefined, boundMs),
    ]);
    for (const response of during) {
      expect(await jsonOf(response)).toMatchObject(unavailable);
      expect(response.headers.get('retry-after')).toBe('5');
    }
    const readiness = await fetch(`${url}/readyz`);
    expect(readiness.status).toBe(503);
    expect(await jsonOf(readiness)).toMatchObject({ message: expect.stringMatching(/^the database does not answer/) });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    paused.resume();

    await eventually(async () => expect((await owner.call('GET', '/agents')).status).toBe(200), { timeoutMs: 30_000 });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const agents = await jsonOf(await owner.call('GET', '/agents'));
    // What was stored stays; what answered 503 was not half-written.
    expect(JSON.stringify(agents)).toContain('support-bot');
    expect(JSON.stringify(agents)).not.toContain('written-while-paused');
  });

  it('answers 503 while its DATABASE_URL server is down, and serves again once it is back', async () => {
    const dataDir = join(aFolder('astromesh-restarted-'), 'data');
    const first = await aPostgres(dataDir);
    const { url } = await startApi({ DATABASE_URL: first.url });
    const owner = await signIn(url);
    expect((await owner.call('POST', '/agents', supportBot)).status).toBe(201);

    await first.stop();

    const refused = await owner.call('GET', '/agents');
    expect(await jsonOf(refused)).toMatchObject({
      ...unavailable,
      message: expect.stringContaining('connection refused'),
    });
    expect(refused.headers.get('retry-after')).toBe('5');
    const upgrade = await websocketUpgradeAnswer(
      `${url.replace(/^http/, 'ws')}/api/v1/orgs/${owner.org}/agents/support-bot/stream?token=${owner.token}`,
    );
    expect(upgrade).toMatchObject({ status: 503, body: unavailable, headers: { 'retry-after': '5' } });
    const readiness = await fetch(`${url}/readyz`);
    expect(readiness.status).toBe(503);
    expect(await jsonOf(readiness)).toMatchObject({ message: 'the database does not answer (connection refused)' });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);

    await aPostgres(dataDir, first.port);

    await eventually(async () => expect((await owner.call('GET', '/agents')).status).toBe(200), { timeoutMs: 30_000 });
    expect(JSON.stringify(await jsonOf(await owner.call('GET', '/agents')))).toContain('support-bot');
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });
});

import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type IncomingMessage, request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultModel } from '../../api/catalogue/suggested-models.ts';
import type { FakeProvider } from '../fakes/fake-provider.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { devLogin } from '../support/dev-login.ts';
import { eventually } from '../support/eventually.ts';
import { jsonOf } from '../support/json-of.ts';
import { type ApiMainProcess, spawnApiMain } from '../support/spawn-api-main.ts';

const exitDeadlineMs = 30_000;
const supportBot = {
  name: 'support-bot',
  step1: { model: defaultModel },
  step2: { system_prompt: 'You are a helpful support agent.' },
};

describe('npm start: the API on its embedded PostgreSQL', { timeout: 120_000 }, () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function aStateDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'astromesh-start-'));
    // As root, PostgreSQL runs as OS user postgres, which must be able to enter this folder.
    chmodSync(dir, 0o755);
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  async function aFakeOpenAi(): Promise<FakeProvider> {
    const fake = await startFakeProvider('openai', { defaultReply: fakeReply.text('Happy to help with refunds.') });
    cleanups.push(() => fake.close());
    return fake;
  }

  async function start(stateDir: string): Promise<{ api: ApiMainProcess; url: string }> {
    const api = spawnApiMain({ env: { ASTROMESH_STATE_DIR: stateDir, PORT: '0' } });
    cleanups.push(() => api.stop());
    const listening = await api.waitForLog('astromesh api listening');
    return { api, url: String(listening.url) };
  }

  /** Dev login as the same owner each time, and a caller of that owner's org routes. */
  async function signIn(url: string) {
    const login = await devLogin(url, 'owner@example.com');
    return (method: string, path: string, body?: unknown) =>
      fetch(`${url}/api/v1/orgs/${login.org}${path}`, {
        method,
        headers: { authorization: `Bearer ${login.token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
  }

  it('serves the quickstart it prints: sign in, create an agent, add a key, deploy, run', async () => {
    const fake = await aFakeOpenAi();
    const { api } = await start(aStateDir());
    const quickstart = await api.quickstart();

    const { stdout } = await promisify(execFile)('bash', ['-e', '-c', quickstart], {
      env: {
        PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
        OPENAI_API_KEY: 'sk-quickstart-test',
        OPENAI_BASE_URL: fake.baseUrl,
      },
    });
    const [created, saved, deployed, ran] = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));

    expect(created).toMatchObject({ name: 'support-bot', status: 'draft' });
    expect(saved).toEqual({ provider: 'openai', status: 'saved' });
    expect(deployed).toMatchObject({ status: 'deployed' });
    expect(ran).toMatchObject({ answer: 'Happy to help with refunds.', model: defaultModel });
    expect(fake.requests.at(-1)?.headers.authorization).toBe('Bearer sk-quickstart-test');
  });

  it('prints the Studio URL, where the built Studio answers (npm test and npm start build it first)', async () => {
    const { api, url } = await start(aStateDir());
    await api.quickstart();

    const studioUrl = /^Astromesh Studio: (\S+)/m.exec(api.stdout())?.[1];
    const page = await fetch(studioUrl ?? 'missing');

    expect(studioUrl).toBe(`${url}/studio/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app"></div>');
  });

  it('keeps its data and brings deployed agents back after a restart, initialising PostgreSQL only once', async () => {
    const fake = await aFakeOpenAi();
    const stateDir = aStateDir();
    const first = await start(stateDir);
    const call = await signIn(first.url);
    await call('POST', '/agents', supportBot);
    await call('POST', '/providers', { provider: 'openai', api_key: 'sk-restart-test', base_url: fake.baseUrl });
    await call('POST', '/agents/support-bot/deploy');
    first.api.child.kill('SIGTERM');
    await first.api.exitWithin(exitDeadlineMs);

    const second = await start(stateDir);
    const callAgain = await signIn(second.url);
    const run = await callAgain('POST', '/agents/support-bot/run', { query: 'Refunds?' });

    expect(await jsonOf(run)).toMatchObject({ answer: 'Happy to help with refunds.' });
    expect(first.api.logs().find((log) => log.msg === 'embedded PostgreSQL started')).toMatchObject({
      initialised: true,
    });
    expect(second.api.logs().find((log) => log.msg === 'embedded PostgreSQL started')).toMatchObject({
      initialised: false,
    });
    expect(second.api.logs().find((log) => log.msg === 'deployments restored from the database')).toMatchObject({
      orgs: 1,
      failed: [],
    });
  });

  it('takes its org runtimes down with it even when it is killed outright', async () => {
    const fake = await aFakeOpenAi();
    const { api, url } = await start(aStateDir());
    const call = await signIn(url);
    await call('POST', '/agents', supportBot);
    await call('POST', '/providers', { provider: 'openai', api_key: 'sk-orphan-test', base_url: fake.baseUrl });
    await call('POST', '/agents/support-bot/deploy');
    const children = childProcessesOf(api.child.pid as number);
    const runtimePid = children.find((child) => child.command.includes('runtime/main.ts'))?.pid;
    const postgresPids = children.filter((child) => child.command.includes('postgres')).map((child) => child.pid);
    cleanups.push(() => {
      // Killed outright, the API cannot stop its embedded PostgreSQL either; the test does.
      for (const pid of postgresPids) if (isAlive(pid)) process.kill(pid, 'SIGINT');
    });

    api.child.kill('SIGKILL');

    expect(runtimePid).toBeDefined();
    await eventually(() => expect(isAlive(runtimePid as number)).toBe(false), { timeoutMs: 15_000 });
  });

  it('answers a request in flight at SIGTERM, refuses new connections, then exits 0 with PostgreSQL stopped', async () => {
    const stateDir = aStateDir();
    const { api, url } = await start(stateDir);
    const body = JSON.stringify({ email: 'late@example.com' });
    // Expect: 100-continue makes the server confirm it holds the request before the body is sent.
    const inFlight = request(`${url}/api/v1/auth/dev/login`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        expect: '100-continue',
      },
    });
    inFlight.flushHeaders();
    await once(inFlight, 'continue');

    api.child.kill('SIGTERM');
    await api.waitForLog('shutting down');
    const refused = await fetch(`${url}/healthz`).then(
      () => 'answered',
      () => 'refused',
    );
    inFlight.end(body);
    const [response] = (await once(inFlight, 'response')) as [IncomingMessage];
    response.resume();
    const exit = await api.exitWithin(exitDeadlineMs);

    expect(refused).toBe('refused');
    expect(response.statusCode).toBe(200);
    expect(exit.code).toBe(0);
    expect(api.logs().at(-1)).toMatchObject({ msg: 'stopped' });
    expect(existsSync(join(stateDir, 'postgres', 'postmaster.pid'))).toBe(false);
  });
});

function childProcessesOf(pid: number): { pid: number; command: string }[] {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
  return children.map((child) => ({
    pid: child,
    command: readFileSync(`/proc/${child}/cmdline`, 'utf8').replaceAll('\0', ' '),
  }));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

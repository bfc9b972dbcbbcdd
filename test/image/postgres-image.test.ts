import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { renderChart, theObject } from '../support/helm-chart.ts';
import { locateImages } from './locate-images.ts';
import { readArchiveConfig } from './read-archive-config.ts';
import { type ContainerMount, startTestContainerd, type TestContainerd } from './start-test-containerd.ts';

// The stand-in for the official postgres image, run the way the chart's StatefulSet runs it:
// uid 999, a read-only root, the data volume at /var/lib/postgresql, writable /var/run/postgresql
// and /tmp, the chart's init SQL at /docker-entrypoint-initdb.d. The container gets a network
// namespace of its own with only loopback up, so it listens on all addresses there and on
// nothing of the machine's; clients run inside it with `ctr tasks exec`, as another pod's would.
const { postgres } = locateImages();
const password = 'a-test-password-only';
const environment = { POSTGRES_USER: 'astromesh', POSTGRES_DB: 'astromesh', POSTGRES_PASSWORD: password };

describe('the stand-in PostgreSQL image (npm run image)', () => {
  let containerd: TestContainerd;
  let scratch: string;
  let mounts: ContainerMount[];
  const netns = `astromesh-pg-image-${process.pid}`;
  let runs = 0;
  const logFile = (run: number) => join(scratch, `postgres-${run}.log`);

  /** Starts a container on the same volumes; resolves once the chart's readiness probe passes. */
  async function startPostgres(): Promise<{ id: string; run: number }> {
    runs += 1;
    const id = `postgres-${runs}`;
    await containerd.runDetached({
      id,
      reference: postgres.reference,
      env: environment,
      mounts,
      network: { namespacePath: `/var/run/netns/${netns}` },
      logFile: logFile(runs),
    });
    await eventually(
      async () => {
        const probe = await containerd.exec(id, [
          'pg_isready',
          '--host=127.0.0.1',
          '--username=astromesh',
          '--dbname=astromesh',
        ]);
        expect(probe.code, `${probe.stdout}${readLog(logFile(runs))}`).toBe(0);
      },
      { timeoutMs: 60_000 },
    );
    return { id, run: runs };
  }

  /** psql over TCP with a password, as the API and the runtimes connect. */
  const psqlOverTcp = (id: string, params: { user: string; password: string; database: string; sql: string }) =>
    containerd.exec(
      id,
      [
        'psql',
        '--no-psqlrc',
        '--tuples-only',
        '--no-align',
        '--set=ON_ERROR_STOP=1',
        `--host=127.0.0.1`,
        `--username=${params.user}`,
        `--dbname=${params.database}`,
        `--command=${params.sql}`,
      ],
      { PGPASSWORD: params.password },
    );

  beforeAll(async () => {
    if (!existsSync(postgres.archive)) throw new Error(`${postgres.archive} is missing: run npm run image`);
    scratch = mkdtempSync(join(tmpdir(), 'astromesh-postgres-image-'));
    const initSql = (theObject(await renderChart(), 'ConfigMap', 'postgresql-init').data ?? {}) as Record<
      string,
      string
    >;
    const folder = (name: string, mode: number, owner?: number) => {
      const path = join(scratch, name);
      mkdirSync(path);
      chmodSync(path, mode);
      if (owner !== undefined) chownSync(path, owner, owner);
      return path;
    };
    // What fsGroup 999 and the emptyDirs give the pod.
    const data = folder('data', 0o775, 999);
    const run = folder('run', 0o775, 999);
    const tmp = folder('tmp', 0o1777);
    const init = folder('init', 0o755);
    for (const [name, sql] of Object.entries(initSql)) writeFileSync(join(init, name), sql);
    mounts = [
      { source: data, destination: '/var/lib/postgresql' },
      { source: run, destination: '/var/run/postgresql' },
      { source: tmp, destination: '/tmp' },
      { source: init, destination: '/docker-entrypoint-initdb.d', readOnly: true },
    ];
    execFileSync('ip', ['netns', 'add', netns]);
    execFileSync('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
    containerd = await startTestContainerd();
    await containerd.importArchive(postgres.archive);
  }, 120_000);

  afterAll(async () => {
    await containerd?.stop();
    spawnSync('ip', ['netns', 'delete', netns], { stdio: 'ignore' });
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }, 60_000);

  it('is named for the PostgreSQL it holds, and stops on SIGINT (fast shutdown) as uid 999', () => {
    const { repoTags, config } = readArchiveConfig(postgres.archive);

    expect(repoTags).toEqual(['localhost/astromesh-test/postgres:15']);
    expect(config.User).toBe('999:999');
    expect(config.StopSignal).toBe('SIGINT');
    expect(Object.keys(config.ExposedPorts ?? {})).toEqual(['5432/tcp']);
    expect(config.Env).toContain('PGDATA=/var/lib/postgresql/data');
  });

  it('initialises once with the chart’s SQL, takes passwords over TCP, and keeps its data across a restart', async () => {
    const first = await startPostgres();
    const owner = { user: 'astromesh', password, database: 'astromesh' };
    const whoAmI = await psqlOverTcp(first.id, { ...owner, sql: 'SELECT current_user, version()' });
    const wrongPassword = await psqlOverTcp(first.id, { ...owner, password: 'not-the-password', sql: 'SELECT 1' });
    const uid = readFileSync(`/proc/${await containerd.taskPid(first.id)}/status`, 'utf8');
    const writeToRoot = await containerd.exec(first.id, ['touch', '/written-at-run-time']);
    const listening = await containerd.exec(first.id, ['cat', '/proc/net/tcp']);
    // The chart's init SQL: a memory database, and no other database admits an ordinary role.
    const setUp = await psqlOverTcp(first.id, {
      ...owner,
      sql: "CREATE ROLE org_probe LOGIN PASSWORD 'probe-password'; CREATE TABLE kept (answer int); INSERT INTO kept VALUES (42)",
    });
    const probe = { user: 'org_probe', password: 'probe-password', sql: 'SELECT current_database()' };
    const intoMemory = await psqlOverTcp(first.id, { ...probe, database: 'astromesh_memory' });
    const intoControlPlane = await psqlOverTcp(first.id, { ...probe, database: 'astromesh' });
    const intoPostgres = await psqlOverTcp(first.id, { ...probe, database: 'postgres' });
    const firstExit = await containerd.stopTask(first.id, 'SIGINT');

    const second = await startPostgres();
    const kept = await psqlOverTcp(second.id, { ...owner, sql: 'SELECT answer FROM kept' });
    const secondExit = await containerd.stopTask(second.id, 'SIGINT');

    expect(whoAmI.stdout).toMatch(/^astromesh\|PostgreSQL 15\.\d+/);
    expect(wrongPassword.code).not.toBe(0);
    expect(wrongPassword.stderr).toContain('password authentication failed for user "astromesh"');
    expect(uid).toMatch(/^Uid:\s+999\s+999\s+999\s+999$/m);
    expect(writeToRoot.stderr).toContain('Read-only file system');
    // 0.0.0.0:5432 (hex 1538) in state LISTEN (0A): other pods reach it, not only loopback.
    expect(listening.stdout).toMatch(/^\s*\d+: 00000000:1538 00000000:0000 0A /m);
    expect(setUp.stderr).toBe('');
    expect(intoMemory.stdout.trim()).toBe('astromesh_memory');
    expect(intoControlPlane.stderr).toContain('permission denied for database "astromesh"');
    expect(intoPostgres.stderr).toContain('permission denied for database "postgres"');
    expect(readLog(logFile(first.run))).toContain('running /docker-entrypoint-initdb.d/01-memory-database.sql');
    expect(firstExit).toBe(0);
    expect(readLog(logFile(first.run))).toMatch(/received fast shutdown request[\s\S]*database system is shut down/);
    expect(kept.stdout.trim()).toBe('42');
    expect(readLog(logFile(second.run))).not.toContain('initialising');
    expect(secondExit).toBe(0);
  }, 180_000);
});

function readLog(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8') : '';
}

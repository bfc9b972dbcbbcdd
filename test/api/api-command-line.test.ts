import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Env } from '../../api/config/api-config.ts';
import { apiEnvReference, defaultLabelOf } from '../../api/config/api-env-reference.ts';
import { type ApiMainProcess, spawnApiMain } from '../support/spawn-api-main.ts';

const exitDeadlineMs = 20_000;

describe('node api/main.ts, run as a command', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function run(options: { env?: Record<string, string>; args?: string[] } = {}): ApiMainProcess {
    const stateDir = mkdtempSync(join(tmpdir(), 'astromesh-cli-'));
    cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }));
    const api = spawnApiMain({ env: { ASTROMESH_STATE_DIR: stateDir, PORT: '0', ...options.env }, args: options.args });
    cleanups.push(() => api.stop());
    return api;
  }

  it('lists every variable loadApiConfig reads, with its default, under --help', async () => {
    const api = run({ args: ['--help'] });

    const exit = await api.exitWithin(exitDeadlineMs);

    expect(exit.code).toBe(0);
    for (const name of Object.keys(Env.shape)) {
      const variable = apiEnvReference.find((candidate) => candidate.name === name);
      expect(api.stdout()).toContain(`  ${name} [${variable ? defaultLabelOf(variable) : '?'}]`);
    }
  });

  it.each([
    ['PORT', 'eighty'],
    ['ASTROMESH_MAX_AGENTS', '0'],
    ['ASTROMESH_LOG_LEVEL', 'loud'],
    ['DATABASE_URL', 'mysql://db/astromesh'],
    ['ASTROMESH_MASTER_KEY', 'too-short'],
    ['ASTROMESH_SHUTDOWN_TIMEOUT_SECONDS', '-1'],
    ['ASTROMESH_SHUTDOWN_LINGER_SECONDS', 'soon'],
    ['ASTROMESH_BACKEND', 'docker'],
    ['ASTROMESH_DEPLOY_TIMEOUT_SECONDS', '0'],
    ['ASTROMESH_RUNTIME_ENDPOINTS', 'dns'],
    ['ASTROMESH_CLUSTER_DOMAIN', 'Cluster_Local'],
    ['ASTROMESH_MEMORY_ADMIN_URL', 'mysql://db/memory'],
  ])('exits with status 2 naming %s when it is %s', async (name, value) => {
    const api = run({ env: { [name]: value } });

    const exit = await api.exitWithin(exitDeadlineMs);

    expect(exit.code).toBe(2);
    expect(api.stderr()).toMatch(new RegExp(`^astromesh-api: ${name}: `));
  });

  it('exits with status 2 naming ASTROMESH_KUBECONFIG when the kubernetes backend cannot load it', async () => {
    const api = run({ env: { ASTROMESH_BACKEND: 'kubernetes', ASTROMESH_KUBECONFIG: '/nonexistent/kubeconfig' } });

    const exit = await api.exitWithin(exitDeadlineMs);

    expect(exit.code).toBe(2);
    expect(api.stderr()).toMatch(/^astromesh-api: ASTROMESH_KUBECONFIG: cannot load a kubeconfig/);
  });

  it('refuses to start in production mode without ASTROMESH_JWT_SECRET', async () => {
    const api = run({ env: { ASTROMESH_MODE: 'production' } });

    const exit = await api.exitWithin(exitDeadlineMs);

    expect(exit.code).toBe(2);
    expect(api.stderr()).toContain('ASTROMESH_JWT_SECRET: required in production mode');
  });

  it('refuses to start in production mode without ASTROMESH_MASTER_KEY', async () => {
    const api = run({ env: { ASTROMESH_MODE: 'production', ASTROMESH_JWT_SECRET: 'x'.repeat(48) } });

    const exit = await api.exitWithin(exitDeadlineMs);

    expect(exit.code).toBe(2);
    expect(api.stderr()).toContain('ASTROMESH_MASTER_KEY: required in production mode');
  });

  it('exits with status 2 on an argument, since configuration comes from the environment', async () => {
    const api = run({ args: ['--port', '9000'] });

    const exit = await api.exitWithin(exitDeadlineMs);

    expect(exit.code).toBe(2);
    expect(api.stderr()).toContain("unknown argument '--port'");
  });

  it('exits with status 1 and a JSON log line when the database cannot be reached', async () => {
    const api = run({ env: { DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:1/none' } });

    const exit = await api.exitWithin(exitDeadlineMs);

    expect(exit.code).toBe(1);
    expect(api.logs()).toContainEqual(expect.objectContaining({ level: 60, msg: 'astromesh api failed to start' }));
    expect(api.stdout()).not.toContain('secret');
  });
});

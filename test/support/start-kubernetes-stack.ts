import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import pg from 'pg';
import { pino } from 'pino';
import { createKubernetesBackend } from '../../api/backends/kubernetes/create-kubernetes-backend.ts';
import { applyCrds } from './apply-crds.ts';
import { serviceAccountTokenFromChart } from './chart-rbac.ts';
import { eventually } from './eventually.ts';
import { loopbackAddressOf } from './fake-kubelet.ts';
import { kubeconfigYaml, stopProcess } from './start-kube-control-plane.ts';
import { startTestApi, type TestApi } from './start-test-api.ts';
import { startTestCluster, type TestCluster } from './start-test-cluster.ts';
import { waitUntilQuotaCountsCloudAgents } from './wait-until-quota-counts-cloud-agents.ts';

const repoRoot = join(import.meta.dirname, '..', '..');
/** The image the operator puts in every runtime Deployment; the fake kubelet runs astromeshd for it. */
export const runtimeImage = 'astromesh-runtime:e2e';
/**
 * The runtime image as the fake kubelet runs it: astromeshd with no shutdown linger. Idle
 * keep-alive connections (the Cloud API's, the probes') would otherwise hold every pod's stop
 * until the fake kubelet's 3 s grace cap kills it, on each pause, delete and rollout.
 */
export const runtimeImageCommand = [
  process.execPath,
  join(repoRoot, 'runtime', 'main.ts'),
  '--shutdown-linger-seconds',
  '0',
];
export const releaseNamespace = 'astromesh-system';
const releaseName = 'astromesh';
const operatorStartTimeoutMs = 60_000;

export interface KubernetesStack {
  cluster: TestCluster;
  /** A cluster admin, for looking at what the API and the operator wrote (as kubectl would). */
  admin: KubeConfig;
  /** The Cloud API, in this process, on the kubernetes backend as the chart's API ServiceAccount. */
  api: TestApi;
  /** Superuser URL of the database that holds every org's conversation memory. */
  memoryDatabaseUrl: string;
  /** Where the operator's, the API backend's and the kubelet's logs are while the stack runs. */
  logFiles: { operator: string; apiBackend: string; kubelet: string };
  /**
   * Another Cloud API like `api` (its own database, the same cluster and identity) with these
   * environment variables: for settings that would change every other test's API. The caller stops it.
   */
  startApi(options: { env: Record<string, string> }): Promise<TestApi>;
  stop(): Promise<void>;
}

/**
 * Astromesh Cloud as a cluster runs it, on one machine: a test cluster whose fake kubelet runs
 * `astromesh-runtime:e2e` as `node runtime/main.ts`, the CRD, the operator as a child process
 * (`node operator/main.ts`, leader election on) with the chart's operator RBAC, and the Cloud
 * API in this process with the chart's API RBAC, endpoint-slice addressing and per-org memory
 * on `adminDatabaseUrl`'s server (vitest's shared PostgreSQL if not given).
 */
export async function startKubernetesStack(
  options: { adminDatabaseUrl?: string; deployTimeoutMs?: number } = {},
): Promise<KubernetesStack> {
  const cleanups: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const cluster = await startTestCluster({
      images: { [runtimeImage]: { command: runtimeImageCommand } },
    });
    cleanups.push(() => cluster.stop());
    const admin = cluster.kubeConfig;
    await applyCrds(admin);
    await waitUntilQuotaCountsCloudAgents(admin);
    await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: releaseNamespace } } });
    const chartIdentity = (template: string) =>
      serviceAccountTokenFromChart({ kubeConfig: admin, template, namespace: releaseNamespace, releaseName });
    const [operatorIdentity, apiIdentity] = await Promise.all([
      chartIdentity('templates/operator-rbac.yaml'),
      chartIdentity('templates/api-rbac.yaml'),
    ]);

    const logFiles = {
      operator: join(cluster.dir, 'operator.log'),
      apiBackend: join(cluster.dir, 'api-backend.log'),
      kubelet: join(cluster.dir, 'fake-kubelet.log'),
    };
    const operator = await startOperatorProcess({ cluster, token: operatorIdentity.token, logFile: logFiles.operator });
    cleanups.push(() => stopProcess(operator));

    const adminDatabaseUrl = options.adminDatabaseUrl;
    const memory = await createMemoryDatabase(adminDatabaseUrl ?? (await vitestDatabaseUrl()));
    cleanups.push(() => memory.drop());
    const backendLog = pino({ level: 'debug' }, pino.destination({ dest: logFiles.apiBackend, sync: true }));
    const startApi = (apiOptions: { env?: Record<string, string> } = {}) =>
      startTestApi({
        adminDatabaseUrl,
        env: apiOptions.env,
        backend: () =>
          createKubernetesBackend({
            kubeConfig: apiIdentity.kubeConfig,
            log: backendLog,
            runtimeEndpoints: { kind: 'endpoint-slices', reachableAddressOf: loopbackAddressOf },
            deployTimeoutMs: options.deployTimeoutMs ?? 60_000,
            memory: { adminUrl: memory.adminUrl, masterKey: randomBytes(32) },
          }),
      });
    const api = await startApi();
    cleanups.push(() => api.stop());

    return { cluster, admin, api, memoryDatabaseUrl: memory.superuserUrl, logFiles, startApi, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** The last lines of a log file, for a failure message. */
export function tailOf(logFile: string, lines = 40): string {
  if (!existsSync(logFile)) return `(no ${logFile})`;
  return readFileSync(logFile, 'utf8').split('\n').slice(-lines).join('\n');
}

// Imported lazily: a benchmark (no vitest runner) always passes adminDatabaseUrl.
async function vitestDatabaseUrl(): Promise<string> {
  const { inject } = await import('vitest');
  return inject('adminDatabaseUrl');
}

/**
 * `node operator/main.ts` as the chart's operator ServiceAccount, its JSON log in `logFile`.
 * Resolves once it holds the Lease and its informers have synced (/readyz).
 */
async function startOperatorProcess(params: {
  cluster: TestCluster;
  token: string;
  logFile: string;
}): Promise<ChildProcess> {
  const { cluster, token, logFile } = params;
  const caData = cluster.kubeConfig.getCurrentCluster()?.caData ?? '';
  const kubeconfigPath = join(cluster.dir, 'operator.kubeconfig');
  writeFileSync(
    kubeconfigPath,
    kubeconfigYaml({
      server: cluster.server,
      token,
      caCertificate: Buffer.from(caData, 'base64'),
      userName: 'astromesh-operator',
    }),
    { mode: 0o600 },
  );
  const child = spawn(
    join(repoRoot, 'node_modules', '.bin', 'node'),
    [
      join(repoRoot, 'operator', 'main.ts'),
      ...['--kubeconfig', kubeconfigPath],
      ...['--runtime-image', runtimeImage],
      ...['--leader-elect', 'true'],
      ...['--namespace', releaseNamespace],
      ...['--host', '127.0.0.1'],
      ...['--port', '0'],
      ...['--log-level', 'info'],
    ],
    { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  const log = createWriteStream(logFile);
  child.stderr?.pipe(log);
  let port: number | undefined;
  let isLeading = false;
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
    log.write(`${line}\n`);
    try {
      const record = JSON.parse(line) as { msg?: string; port?: number };
      if (record.msg === 'operator listening') port = record.port;
      if (record.msg === 'leading: reconciling org namespaces') isLeading = true;
    } catch {
      // Not a log record (a stack trace): it stays in the file.
    }
  });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => reject(new Error(`the operator exited (code ${code}, signal ${signal})`))),
  );
  try {
    await Promise.race([
      exited,
      eventually(
        async () => {
          if (!port || !isLeading) throw new Error('the operator has not taken the Lease yet');
          const readyz = await fetch(`http://127.0.0.1:${port}/readyz`);
          if (readyz.status !== 200) throw new Error(`/readyz answered ${readyz.status}`);
        },
        { timeoutMs: operatorStartTimeoutMs, intervalMs: 200 },
      ),
    ]);
  } catch (err) {
    await stopProcess(child);
    throw new Error(`the operator did not start: ${(err as Error).message}\n--- ${logFile} ---\n${tailOf(logFile)}`);
  }
  return child;
}

/**
 * A database for conversation memory, owned by an admin role that may create roles but is no
 * superuser, as production would run it; the backend gives each org a role and schema there.
 * `drop()` removes the database and every role the admin created (roles are server-wide).
 */
async function createMemoryDatabase(superuserUrl: string) {
  const suffix = randomBytes(4).toString('hex');
  const database = `astromesh_memory_${suffix}`;
  const adminRole = `memory_admin_${suffix}`;
  const password = randomBytes(16).toString('hex');
  await withClient(superuserUrl, async (client) => {
    await client.query(`CREATE ROLE ${adminRole} LOGIN CREATEROLE PASSWORD '${password}'`);
    await client.query(`CREATE DATABASE ${database} OWNER ${adminRole}`);
  });
  const adminUrl = new URL(superuserUrl);
  adminUrl.username = adminRole;
  adminUrl.password = password;
  adminUrl.pathname = `/${database}`;
  const databaseUrl = new URL(superuserUrl);
  databaseUrl.pathname = `/${database}`;
  return {
    adminUrl: adminUrl.toString(),
    superuserUrl: databaseUrl.toString(),
    async drop() {
      await withClient(superuserUrl, async (client) => {
        await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
        // PostgreSQL 16+ makes a CREATEROLE role a member (with ADMIN OPTION) of each role it creates.
        const created = await client.query<{ role: string }>(
          `SELECT r.rolname AS role FROM pg_auth_members m
             JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles a ON a.oid = m.member
            WHERE a.rolname = $1`,
          [adminRole],
        );
        for (const { role } of created.rows) await client.query(`DROP ROLE IF EXISTS ${pg.escapeIdentifier(role)}`);
        await client.query(`DROP ROLE IF EXISTS ${adminRole}`);
      });
    },
  };
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

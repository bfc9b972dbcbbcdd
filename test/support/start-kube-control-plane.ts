import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { locateTestBinaries } from '../binaries/locate-test-binaries.ts';
import { eventually } from './eventually.ts';
import { freePort } from './free-port.ts';

export interface RunningControlPlane {
  server: string;
  /** Bearer token of a `system:masters` user: every RBAC check passes. */
  adminToken: string;
  kubeconfigPath: string;
  /** Scratch folder of this control plane (logs, keys, data); removed by `stop()`. */
  dir: string;
  /** The API server's self-signed serving certificate: the CA pods and clients must trust. */
  caCertificatePath: string;
  /** Private key the API server signs service-account tokens with (a controller-manager needs it). */
  serviceAccountKeyPath: string;
  /** Tokens of the `extraAdminUsers` asked for, by user name; all are `system:masters`. */
  userTokens: Record<string, string>;
  stop(): Promise<void>;
}

export interface KubeControlPlaneOptions {
  /**
   * Turns the ServiceAccount admission plugin on. Only with a controller-manager that creates
   * each namespace's `default` ServiceAccount: without one, the plugin refuses every pod.
   */
  serviceAccountAdmission?: boolean;
  /** More `system:masters` users, one per component, so the API server's log tells them apart. */
  extraAdminUsers?: string[];
}

const startTimeoutMs = 90_000;

/**
 * Starts a real etcd and kube-apiserver on free loopback ports, as controller-runtime's envtest
 * does: token auth, RBAC, a service-account signing key, and no kubelet or controller-manager
 * (nothing runs pods; tests check the objects the operator writes). `startTestCluster()` adds
 * those on top for end-to-end tests.
 */
export async function startKubeControlPlane(options: KubeControlPlaneOptions = {}): Promise<RunningControlPlane> {
  const binaries = locateTestBinaries();
  for (const binary of [binaries.etcd, binaries.kubeApiserver]) {
    if (!existsSync(binary)) {
      throw new Error(`${binary} is missing: run \`npm run test:binaries\` (npm test does it first)`);
    }
  }
  const dir = mkdtempSync(join(tmpdir(), 'astromesh-kube-'));
  const children: ChildProcess[] = [];
  const stop = async () => {
    await Promise.all(children.map(stopProcess));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const etcdUrl = await startEtcd(binaries.etcd, dir, children);
    const { server, adminToken, userTokens, serviceAccountKeyPath } = await startApiserver({
      binary: binaries.kubeApiserver,
      dir,
      etcdUrl,
      children,
      options,
    });
    const caCertificatePath = join(dir, 'pki', 'apiserver.crt');
    const kubeconfigPath = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfigPath,
      kubeconfigYaml({ server, token: adminToken, caCertificate: readFileSync(caCertificatePath) }),
    );
    return { server, adminToken, kubeconfigPath, dir, caCertificatePath, serviceAccountKeyPath, userTokens, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function startEtcd(binary: string, dir: string, children: ChildProcess[]): Promise<string> {
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const clientUrl = `http://127.0.0.1:${clientPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const logFile = join(dir, 'etcd.log');
  const child = startLoggedProcess({
    binary,
    args: [
      '--name=test',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${clientUrl}`,
      `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=test=${peerUrl}`,
      // Test data is thrown away; fsync would only slow every write down.
      '--unsafe-no-fsync=true',
      '--log-level=warn',
    ],
    logFile,
  });
  children.push(child);
  await waitUntilReady({
    name: 'etcd',
    child,
    logFile,
    probe: async () => {
      const res = await fetch(`${clientUrl}/health`);
      if (!res.ok) throw new Error(`etcd /health answered ${res.status}`);
    },
  });
  return clientUrl;
}

async function startApiserver(params: {
  binary: string;
  dir: string;
  etcdUrl: string;
  children: ChildProcess[];
  options: KubeControlPlaneOptions;
}) {
  const { binary, dir, etcdUrl, children, options } = params;
  const port = await freePort();
  const adminToken = randomBytes(32).toString('hex');
  const userTokens = Object.fromEntries(
    (options.extraAdminUsers ?? []).map((user) => [user, randomBytes(32).toString('hex')]),
  );
  const tokensFile = join(dir, 'tokens.csv');
  const tokenLines = Object.entries({ 'astromesh-test-admin': adminToken, ...userTokens }).map(
    ([user, token]) => `${token},${user},${user},"system:masters"\n`,
  );
  writeFileSync(tokensFile, tokenLines.join(''), { mode: 0o600 });
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKeyFile = join(dir, 'sa.pub');
  const privateKeyFile = join(dir, 'sa.key');
  writeFileSync(publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(privateKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  mkdirSync(join(dir, 'pki'));
  const logFile = join(dir, 'kube-apiserver.log');
  const child = startLoggedProcess({
    binary,
    args: [
      `--etcd-servers=${etcdUrl}`,
      `--etcd-prefix=/registry-${randomBytes(4).toString('hex')}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${port}`,
      // The API server writes a self-signed serving certificate here; the kubeconfig trusts it.
      `--cert-dir=${join(dir, 'pki')}`,
      `--token-auth-file=${tokensFile}`,
      '--authorization-mode=RBAC',
      `--service-account-key-file=${publicKeyFile}`,
      `--service-account-signing-key-file=${privateKeyFile}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      '--service-cluster-ip-range=10.0.0.0/24',
      '--allow-privileged=true',
      // Without a controller-manager nothing creates the default ServiceAccount, so this plugin
      // would refuse every pod.
      ...(options.serviceAccountAdmission ? [] : ['--disable-admission-plugins=ServiceAccount']),
      '--enable-priority-and-fairness=false',
    ],
    logFile,
  });
  children.push(child);
  const server = `https://127.0.0.1:${port}`;
  await waitUntilReady({
    name: 'kube-apiserver',
    child,
    logFile,
    probe: async () => {
      const status = await getStatus(`${server}/readyz`, adminToken);
      if (status !== 200) throw new Error(`kube-apiserver /readyz answered ${status}`);
    },
  });
  return { server, adminToken, userTokens, serviceAccountKeyPath: privateKeyFile };
}

/** Starts a control-plane program with its output in `logFile`, killed if the test run exits without stopping it. */
export function startLoggedProcess(params: { binary: string; args: string[]; logFile: string }): ChildProcess {
  const { binary, args, logFile } = params;
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // If the test run dies without its teardown, take the server down with it rather than
  // leaving an orphan holding ports and a data folder.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  const log = createWriteStream(logFile);
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  return child;
}

/** Waits until `probe` passes; fails early, with the end of the log, if the program exits first. */
export async function waitUntilReady(params: {
  name: string;
  child: ChildProcess;
  logFile: string;
  probe: () => Promise<void>;
  timeoutMs?: number;
}): Promise<void> {
  const { name, child, logFile, probe, timeoutMs = startTimeoutMs } = params;
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => reject(new Error(`${name} exited (code ${code}, signal ${signal})`))),
  );
  try {
    await Promise.race([eventually(probe, { timeoutMs, intervalMs: 200 }), exited]);
  } catch (err) {
    const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-40).join('\n') : '';
    throw new Error(`${name} did not become ready: ${(err as Error).message}\n--- ${logFile} ---\n${tail}`);
  }
}

// The serving certificate is self-signed, so a plain fetch would refuse it; until it answers we
// only need the status code.
function getStatus(url: string, token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Authorization: `Bearer ${token}` }, rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** SIGTERM, then SIGKILL if the program has not exited after 10 s. */
export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(killTimer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** A kubeconfig for `server` that trusts its self-signed certificate and authenticates with `token`. */
export function kubeconfigYaml(params: {
  server: string;
  token: string;
  caCertificate: Buffer;
  userName?: string;
}): string {
  const { server, token, caCertificate, userName = 'astromesh-test-admin' } = params;
  return dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'astromesh-test', cluster: { server, 'certificate-authority-data': caCertificate.toString('base64') } },
    ],
    users: [{ name: userName, user: { token } }],
    contexts: [{ name: 'astromesh-test', context: { cluster: 'astromesh-test', user: userName } }],
    'current-context': 'astromesh-test',
  });
}

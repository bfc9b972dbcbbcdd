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
  stop(): Promise<void>;
}

const startTimeoutMs = 90_000;

/**
 * Starts a real etcd and kube-apiserver on free loopback ports, as controller-runtime's envtest
 * does: token auth, RBAC, a service-account signing key, and no kubelet or controller-manager
 * (nothing runs pods; tests check the objects the operator writes).
 */
export async function startKubeControlPlane(): Promise<RunningControlPlane> {
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
    const { server, adminToken } = await startApiserver(binaries.kubeApiserver, dir, etcdUrl, children);
    const kubeconfigPath = join(dir, 'kubeconfig');
    writeFileSync(kubeconfigPath, kubeconfigYaml(server, adminToken, readFileSync(join(dir, 'pki', 'apiserver.crt'))));
    return { server, adminToken, kubeconfigPath, stop };
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
  const child = startLogged(
    binary,
    [
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
  );
  children.push(child);
  await waitUntilReady('etcd', child, logFile, async () => {
    const res = await fetch(`${clientUrl}/health`);
    if (!res.ok) throw new Error(`etcd /health answered ${res.status}`);
  });
  return clientUrl;
}

async function startApiserver(binary: string, dir: string, etcdUrl: string, children: ChildProcess[]) {
  const port = await freePort();
  const adminToken = randomBytes(32).toString('hex');
  const tokensFile = join(dir, 'tokens.csv');
  writeFileSync(tokensFile, `${adminToken},astromesh-test-admin,astromesh-test-admin,"system:masters"\n`, {
    mode: 0o600,
  });
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKeyFile = join(dir, 'sa.pub');
  const privateKeyFile = join(dir, 'sa.key');
  writeFileSync(publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }));
  writeFileSync(privateKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  mkdirSync(join(dir, 'pki'));
  const logFile = join(dir, 'kube-apiserver.log');
  const child = startLogged(
    binary,
    [
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
      // No controller-manager creates the default ServiceAccount, so this plugin would refuse every pod.
      '--disable-admission-plugins=ServiceAccount',
      '--enable-priority-and-fairness=false',
    ],
    logFile,
  );
  children.push(child);
  const server = `https://127.0.0.1:${port}`;
  await waitUntilReady('kube-apiserver', child, logFile, async () => {
    const status = await getStatus(`${server}/readyz`, adminToken);
    if (status !== 200) throw new Error(`kube-apiserver /readyz answered ${status}`);
  });
  return { server, adminToken };
}

function startLogged(binary: string, args: string[], logFile: string): ChildProcess {
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

async function waitUntilReady(
  name: string,
  child: ChildProcess,
  logFile: string,
  probe: () => Promise<void>,
): Promise<void> {
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) => reject(new Error(`${name} exited (code ${code}, signal ${signal})`))),
  );
  try {
    await Promise.race([eventually(probe, { timeoutMs: startTimeoutMs, intervalMs: 200 }), exited]);
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

function stopProcess(child: ChildProcess): Promise<void> {
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

function kubeconfigYaml(server: string, token: string, caCertificate: Buffer): string {
  return dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'astromesh-test', cluster: { server, 'certificate-authority-data': caCertificate.toString('base64') } },
    ],
    users: [{ name: 'astromesh-test-admin', user: { token } }],
    contexts: [{ name: 'astromesh-test', context: { cluster: 'astromesh-test', user: 'astromesh-test-admin' } }],
    'current-context': 'astromesh-test',
  });
}

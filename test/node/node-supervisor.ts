// The real test node's supervisor. start-real-node.ts runs it as
//
//   unshare --fork --pid --mount-proc --mount --net --propagation private -- pause -- node node-supervisor.ts CONFIG
//
// so it is pid 2 of a PID namespace whose init (test/image/pause) reaps containerd's shims, in a
// network and a mount namespace of its own. It prepares them, starts the node's programs in
// order, reports progress as JSON lines on stdout, and tears everything down when its stdin
// closes: when the test process stops it, or dies however it dies.
import { randomBytes } from 'node:crypto';
import { copyFileSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { dump } from 'js-yaml';
import { clusterDnsObjects } from './cluster-dns-objects.ts';
import { makeNodePki } from './make-node-pki.ts';
import { createNodeCgroup, removeNodeCgroup } from './node-cgroups.ts';
import { type NodeComponent, podLogTail, startNodeComponent, waitForComponent } from './node-component.ts';
import { componentKubeconfigPath, ctrImportArgs, nodeCgroupName, nodeLayout, nodeStatePaths } from './node-layout.ts';
import { expectDnsAnswer, expectNodeReady, expectOk, run } from './node-probes.ts';
import { startRelayServer } from './node-relay.ts';
import { NodeSupervisorConfig, type NodeSupervisorEvent } from './node-supervisor-config.ts';
import { assertInsideNodeNamespaces, mountNodeFilesystems, setUpNodeNetwork } from './prepare-node-namespaces.ts';
import { writeNodeConfigFiles } from './write-node-config-files.ts';

const apiserverUrl = `https://${nodeLayout.nodeIp}:${nodeLayout.apiserverPort}`;
const componentNames = ['kube-controller-manager', 'kube-scheduler', 'kube-proxy', 'kube-router', 'supervisor'];

const config = NodeSupervisorConfig.parse(JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')));
const components: NodeComponent[] = [];
let relay: Server | undefined;
let tearingDown = false;
const startedAt = Date.now();

function emit(event: NodeSupervisorEvent): void {
  try {
    process.stdout.write(`${JSON.stringify(event)}\n`);
  } catch {
    // The test process is gone; teardown follows from stdin closing.
  }
}

function progress(message: string): void {
  emit({ event: 'progress', message: `${message} (${((Date.now() - startedAt) / 1000).toFixed(1)}s)` });
}

async function startNode(): Promise<void> {
  assertInsideNodeNamespaces(config.hostNamespaces);
  mountNodeFilesystems();
  setUpNodeNetwork(config.extraAddresses);
  const cgroupName = nodeCgroupName(config.runId);
  createNodeCgroup(cgroupName);
  const pki = makeNodePki({
    dir: nodeStatePaths.pki,
    nodeName: config.nodeName,
    apiserverAddresses: ['127.0.0.1', nodeLayout.nodeIp, nodeLayout.apiServiceIp],
  });
  const tokens = Object.fromEntries(componentNames.map((name) => [name, randomBytes(24).toString('hex')]));
  const adminToken = randomBytes(24).toString('hex');
  const tokensFile = join(nodeStatePaths.pki, 'tokens.csv');
  writeFileSync(
    tokensFile,
    Object.entries({ ...tokens, 'astromesh-test-admin': adminToken })
      .map(([user, token]) => `${token},${user},${user},"system:masters"\n`)
      .join(''),
    { mode: 0o600 },
  );
  writeNodeConfigFiles({
    pki,
    nodeName: config.nodeName,
    cgroupRoot: cgroupName,
    sandboxImage: config.images.pause.reference,
    componentTokens: tokens,
  });
  // What the test side needs to build its kubeconfig (it points at its own forwarded port).
  writeFileSync(join(config.runDir, 'admin-token'), adminToken, { mode: 0o600 });
  copyFileSync(pki.caCertificate, join(config.runDir, 'ca.crt'));
  relay = await startRelayServer(join(config.runDir, 'relay.sock'));
  progress('namespaces, network, certificates and relay ready');

  const ca = readFileSync(pki.caCertificate);
  const binaries = config.binaries;
  const start = (name: string, binary: string, args: string[]) => {
    const component = startNodeComponent({ runDir: config.runDir, name, binary, args });
    components.push(component);
    component.child.once('exit', (code, signal) => {
      if (!tearingDown) progress(`${name} exited unexpectedly (code ${code}, signal ${signal})`);
    });
    return component;
  };

  const etcd = start('etcd', binaries.etcd, [
    '--name=node',
    `--data-dir=${nodeStatePaths.etcdData}`,
    `--listen-client-urls=${nodeLayout.etcdUrl}`,
    `--advertise-client-urls=${nodeLayout.etcdUrl}`,
    '--listen-peer-urls=http://127.0.0.1:2380',
    '--initial-advertise-peer-urls=http://127.0.0.1:2380',
    '--initial-cluster=node=http://127.0.0.1:2380',
    // The data is on a tmpfs and thrown away with the run: fsync would only slow every write.
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ]);
  const containerd = start('containerd', '/usr/bin/containerd', ['--config', nodeStatePaths.containerdConfig]);
  await waitForComponent(etcd, () => expectOk(`${nodeLayout.etcdUrl}/health`));
  progress('etcd ready');

  const apiserver = start('kube-apiserver', binaries.kubeApiserver, [
    `--etcd-servers=${nodeLayout.etcdUrl}`,
    '--bind-address=0.0.0.0',
    `--advertise-address=${nodeLayout.nodeIp}`,
    `--secure-port=${nodeLayout.apiserverPort}`,
    `--tls-cert-file=${pki.apiserverCertificate}`,
    `--tls-private-key-file=${pki.apiserverKey}`,
    `--client-ca-file=${pki.caCertificate}`,
    `--token-auth-file=${tokensFile}`,
    // The Node authorizer limits the kubelet (a system:node:<name> certificate) to its own pods.
    '--authorization-mode=Node,RBAC',
    '--enable-admission-plugins=NodeRestriction',
    `--kubelet-client-certificate=${pki.apiserverKubeletClientCertificate}`,
    `--kubelet-client-key=${pki.apiserverKubeletClientKey}`,
    '--kubelet-preferred-address-types=InternalIP',
    `--service-account-key-file=${pki.serviceAccountPublicKey}`,
    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    `--service-account-issuer=https://kubernetes.default.svc.${nodeLayout.clusterDomain}`,
    `--service-cluster-ip-range=${nodeLayout.serviceCidr}`,
    '--allow-privileged=true',
    '--profiling=false',
  ]);
  await waitForComponent(apiserver, () => expectOk(`${apiserverUrl}/readyz`, { ca, token: adminToken }));
  progress('kube-apiserver ready');

  const controllerManager = start('kube-controller-manager', binaries.kubeControllerManager, [
    `--kubeconfig=${componentKubeconfigPath('kube-controller-manager')}`,
    `--service-account-private-key-file=${pki.serviceAccountKey}`,
    `--root-ca-file=${pki.caCertificate}`,
    '--use-service-account-credentials=true',
    // Gives the node its podCIDR (the CNI's host-local range), which kube-router reads.
    '--allocate-node-cidrs=true',
    `--cluster-cidr=${nodeLayout.clusterCidr}`,
    '--node-cidr-mask-size=24',
    `--service-cluster-ip-range=${nodeLayout.serviceCidr}`,
    '--leader-elect=false',
    '--bind-address=127.0.0.1',
    '--profiling=false',
  ]);
  const scheduler = start('kube-scheduler', binaries.kubeScheduler, [
    `--kubeconfig=${componentKubeconfigPath('kube-scheduler')}`,
    '--leader-elect=false',
    '--bind-address=127.0.0.1',
    '--profiling=false',
  ]);
  await waitForComponent(containerd, () =>
    run('/usr/bin/ctr', ['--address', nodeStatePaths.containerdSocket, 'version']).then(() => undefined),
  );
  for (const image of [config.images.pause, config.images.coredns]) {
    await importImage(image.archive);
  }
  progress('containerd ready, node images imported');

  // The kubelet authenticates as system:node:<name> with a client certificate (Node authorizer).
  const kubelet = start('kubelet', binaries.kubelet, [
    `--config=${nodeStatePaths.kubeletConfig}`,
    `--kubeconfig=${nodeStatePaths.kubeletKubeconfig}`,
    `--root-dir=${nodeStatePaths.kubeletRoot}`,
    `--node-ip=${nodeLayout.nodeIp}`,
    `--hostname-override=${config.nodeName}`,
    '--v=1',
  ]);
  await waitForComponent(controllerManager, () => expectOk('https://127.0.0.1:10257/healthz'));
  await waitForComponent(scheduler, () => expectOk('https://127.0.0.1:10259/healthz'));
  await waitForComponent(kubelet, () => expectOk(`http://127.0.0.1:${nodeLayout.kubeletHealthzPort}/healthz`));
  await waitForComponent(kubelet, () =>
    expectNodeReady({ apiserverUrl, ca, token: adminToken, nodeName: config.nodeName }),
  );
  progress(`node ${config.nodeName} Ready`);

  const kubeProxy = start('kube-proxy', binaries.kubeProxy, [`--config=${nodeStatePaths.kubeProxyConfig}`]);
  const kubeRouter =
    binaries.kubeRouter &&
    start('kube-router', binaries.kubeRouter, [
      `--kubeconfig=${componentKubeconfigPath('kube-router')}`,
      `--hostname-override=${config.nodeName}`,
      // Only the NetworkPolicy firewall: the bridge CNI routes pods, kube-proxy serves Services.
      '--run-firewall=true',
      '--run-router=false',
      '--run-service-proxy=false',
      `--health-port=${nodeLayout.kubeRouterHealthPort}`,
      '--metrics-port=0',
    ]);
  await waitForComponent(kubeProxy, () => expectOk(`http://127.0.0.1:${nodeLayout.kubeProxyHealthzPort}/healthz`));
  if (kubeRouter) {
    await waitForComponent(kubeRouter, () => expectOk(`http://127.0.0.1:${nodeLayout.kubeRouterHealthPort}/healthz`));
  }
  progress(kubeRouter ? 'kube-proxy and kube-router synced' : 'kube-proxy synced (no NetworkPolicy engine)');

  const manifest = join(nodeStatePaths.manifests, 'cluster-dns.yaml');
  writeFileSync(
    manifest,
    clusterDnsObjects(config.images.coredns.reference)
      .map((object) => dump(object))
      .join('---\n'),
  );
  await run(binaries.kubectl, ['--kubeconfig', componentKubeconfigPath('supervisor'), 'apply', '-f', manifest], {
    HOME: nodeStatePaths.home,
    PATH: process.env.PATH,
  });
  // Through the kube-dns Service VIP: kube-proxy's rules, the pod network and CoreDNS at once.
  await waitForComponent(
    { name: 'cluster DNS (CoreDNS)', child: kubelet.child, logFile: kubelet.logFile },
    () =>
      expectDnsAnswer({
        server: nodeLayout.clusterDnsIp,
        name: `kubernetes.default.svc.${nodeLayout.clusterDomain}`,
        expected: nodeLayout.apiServiceIp,
      }),
    { timeoutMs: 180_000, moreLogs: () => podLogTail('kube-system', 'coredns', 30) },
  );
  progress('cluster DNS answers');
  emit({ event: 'ready' });
}

async function importImage(archive: string): Promise<void> {
  await run('/usr/bin/ctr', ctrImportArgs(archive));
}

/**
 * Kills every process of the node (this is a fresh PID namespace, checked at start: kill(-1)
 * reaches only its processes), then removes the run's cgroups and folder. Mounts, the network
 * namespace with its interfaces and iptables rules, and containerd's state on tmpfs go with the
 * namespaces once the last process exits.
 */
async function tearDown(exitCode: number): Promise<never> {
  if (tearingDown) return new Promise(() => undefined);
  tearingDown = true;
  relay?.close();
  try {
    assertInsideNodeNamespaces(config.hostNamespaces);
    process.kill(-1, 'SIGKILL');
    for (let attempt = 0; attempt < 100 && otherProcesses().length > 0; attempt++) await delay(50);
    let left = removeNodeCgroup(nodeCgroupName(config.runId));
    for (let attempt = 0; attempt < 40 && left.length > 0; attempt++) {
      await delay(50);
      left = removeNodeCgroup(nodeCgroupName(config.runId));
    }
    if (left.length > 0) process.stderr.write(`cgroups left behind: ${left.join(', ')}\n`);
  } catch (err) {
    process.stderr.write(`teardown: ${(err as Error).message}\n`);
  }
  rmSync(config.runDir, { recursive: true, force: true });
  process.exit(exitCode);
}

/** PIDs in this namespace other than its init (1) and this process. */
function otherProcesses(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => pid !== 1 && pid !== process.pid);
}

process.stdin.resume();
process.stdin.once('end', () => void tearDown(0));
process.stdin.once('error', () => void tearDown(0));
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.once(signal, () => void tearDown(0));

startNode().catch((err: Error) => {
  emit({ event: 'failed', message: err.message });
  // The test side reads the logs it names before stopping the node; it closes stdin then.
});

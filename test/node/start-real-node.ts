import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { locateTestBinaries } from '../binaries/locate-test-binaries.ts';
import { kubeconfigYaml } from '../support/start-kube-control-plane.ts';
import { ensureNodePackages } from './ensure-node-packages.ts';
import { pauseBinary, singleBinaryImage } from './node-artifacts.ts';
import { removeNodeCgroup } from './node-cgroups.ts';
import { componentLogFile, logTail } from './node-component.ts';
import { ctrImportArgs, nodeCgroupName, nodeLayout } from './node-layout.ts';
import { forwardThroughRelay } from './node-relay.ts';
import { type NodeSupervisorConfig, NodeSupervisorEvent } from './node-supervisor-config.ts';
import { nodeRunDir, sweepStaleNodeRuns, writeRunOwner } from './sweep-stale-node-runs.ts';

const repoRoot = join(import.meta.dirname, '..', '..');
// The project's Node; the machine's own is older.
const node24 = join(repoRoot, 'node_modules', 'node', 'bin', 'node');
const defaultStartTimeoutMs = 300_000;
const stopTimeoutMs = 60_000;

export interface RealNodeOptions {
  /** More /32 addresses on the node's interface, e.g. 169.254.169.254 for a fake metadata server. */
  extraAddresses?: string[];
  /** Default true. Without it nothing enforces NetworkPolicies (to show that a policy test can fail). */
  networkPolicyEngine?: boolean;
  startTimeoutMs?: number;
  /** Progress lines (`[real-node] …`); default: the test process's stderr. */
  log?: (line: string) => void;
}

export interface Forwarded {
  /** On 127.0.0.1, in the test process. */
  port: number;
  close(): Promise<void>;
}

export interface RealNode {
  /** Admin (system:masters) kubeconfig whose server is a forwarded port on 127.0.0.1. */
  kubeconfigPath: string;
  apiserverUrl: string;
  adminToken: string;
  caCertificatePath: string;
  nodeName: string;
  nodeIp: string;
  podCidr: string;
  serviceCidr: string;
  clusterDnsIp: string;
  /** The pods' sandbox image (test/image/pause), in the node's containerd: a container that just sleeps. */
  pauseImage: string;
  /** The cgroup every pod of the node lives below, in each hierarchy (e.g. `/astromesh-node-1a2b3c4d`). */
  cgroupRoot: string;
  /** Host PID of the node's init (pause): its namespaces are the node's (`/proc/<pid>/ns/*`). */
  initPid: number;
  /** The run's folder on the machine's disk (logs, kubeconfig, relay socket); stop() removes it. */
  runDir: string;
  /**
   * A loopback port whose connections go to `host:port` as seen from inside the node: a pod IP,
   * a Service ClusterIP or name-less VIP, the node IP. This is how tests reach pods and Services;
   * nothing of the node is routable from the machine's own network namespace. The listener runs
   * on this process's event loop: a synchronous wait here (execFileSync of kubectl, say) would
   * stall every forwarded connection, the kubeconfig's included.
   */
  forward(host: string, port: number): Promise<Forwarded>;
  /**
   * Starts a program in the node's network and mount namespaces (e.g. a fake model provider
   * bound to the node IP or a fake metadata server on 169.254.169.254). It dies with the test
   * process and is killed by stop().
   */
  spawnInside(command: string, args: string[], options?: SpawnOptions): ChildProcess;
  /** Runs a command in the node's namespaces to completion (a string runs with `sh -c`). */
  exec(command: string | string[]): Promise<{ stdout: string; stderr: string; code: number }>;
  /** `ctr images import` into the node's containerd (k8s.io namespace), so pods can use them with imagePullPolicy Never. */
  importImages(archives: string[]): Promise<void>;
  /** The last lines of a component's log: etcd, kube-apiserver, kube-controller-manager, kube-scheduler, containerd, kubelet, kube-proxy, kube-router, supervisor. */
  logTail(component: string, lines?: number): string;
  /** Ends every process of the node and removes its mounts, network namespace, cgroups and run folder. */
  stop(): Promise<void>;
}

/**
 * A real single-node Kubernetes cluster that runs real containers, in namespaces this run
 * creates (test/node/node-supervisor.ts says what runs in them). Resolves once the node is Ready,
 * kube-proxy and kube-router have synced and cluster DNS answers through its Service.
 */
export async function startRealNode(options: RealNodeOptions = {}): Promise<RealNode> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const say = (message: string) => log(`[real-node] ${message}`);
  const startedAt = Date.now();
  ensureNodePackages(say);
  const swept = sweepStaleNodeRuns();
  if (swept.length > 0) say(`removed what killed runs left: ${swept.join(', ')}`);

  const binaries = locateTestBinaries();
  const withPolicyEngine = options.networkPolicyEngine !== false;
  const required = [
    binaries.etcd,
    binaries.kubeApiserver,
    binaries.kubeControllerManager,
    binaries.kubeScheduler,
    binaries.kubelet,
    binaries.kubeProxy,
    binaries.kubectl,
    binaries.coredns,
    ...(withPolicyEngine ? [binaries.kubeRouter] : []),
  ];
  const missing = required.filter((binary) => !existsSync(binary));
  if (missing.length > 0) throw new Error(`the real node needs ${missing.join(', ')}: run \`npm run test:binaries\``);
  const pause = pauseBinary();
  const images = {
    pause: singleBinaryImage({ binary: pause, repository: 'pause' }),
    coredns: singleBinaryImage({ binary: binaries.coredns, repository: 'coredns' }),
  };

  const runId = randomBytes(4).toString('hex');
  const runDir = nodeRunDir(runId);
  mkdirSync(runDir, { mode: 0o700 });
  writeRunOwner(runDir);
  const nodeName = `astromesh-node-${runId}`;
  const config: NodeSupervisorConfig = {
    runDir,
    runId,
    nodeName,
    hostNamespaces: {
      pid: readlinkSync('/proc/self/ns/pid'),
      net: readlinkSync('/proc/self/ns/net'),
      mnt: readlinkSync('/proc/self/ns/mnt'),
    },
    extraAddresses: options.extraAddresses ?? [],
    binaries: {
      etcd: binaries.etcd,
      kubeApiserver: binaries.kubeApiserver,
      kubeControllerManager: binaries.kubeControllerManager,
      kubeScheduler: binaries.kubeScheduler,
      kubelet: binaries.kubelet,
      kubeProxy: binaries.kubeProxy,
      kubectl: binaries.kubectl,
      kubeRouter:
        options.networkPolicyEngine === false ? undefined : (binaries.kubeRouter ?? process.env.TMP_KUBE_ROUTER),
    },
    images,
  };
  const configPath = join(runDir, 'config.json');
  writeFileSync(configPath, JSON.stringify(config, null, 2));

  // Detached: a signal to the test's process group must not kill the node before it cleans up;
  // it goes when its stdin closes, which happens however the test process ends.
  const supervisorLog = openSync(componentLogFile(runDir, 'supervisor'), 'a');
  const child = spawn(
    'unshare',
    [
      '--fork',
      '--pid',
      '--mount-proc',
      '--mount',
      '--net',
      '--propagation',
      'private',
      '--',
      pause,
      '--',
      node24,
      join(import.meta.dirname, 'node-supervisor.ts'),
      configPath,
    ],
    { stdio: ['pipe', 'pipe', supervisorLog], detached: true },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const spawnedInside = new Set<ChildProcess>();
  const forwards = new Set<Forwarded>();
  let pausePid: number | undefined;
  let stopped = false;

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const process of spawnedInside) process.kill('SIGKILL');
    await Promise.all([...forwards].map((forwarded) => forwarded.close()));
    child.stdin?.end();
    const timer = setTimeout(() => {
      // A supervisor that cannot finish its teardown: ending the namespace's init ends it all.
      if (pausePid) process.kill(pausePid, 'SIGKILL');
      child.kill('SIGKILL');
    }, stopTimeoutMs);
    await exited;
    clearTimeout(timer);
    removeNodeCgroup(nodeCgroupName(runId));
    rmSync(runDir, { recursive: true, force: true });
  };

  try {
    await waitForReady({ child, exited, runDir, say, timeoutMs: options.startTimeoutMs ?? defaultStartTimeoutMs });
    const initPid = childPid(child.pid ?? 0);
    pausePid = initPid;
    const enter = ['--target', String(initPid), '--net', '--mount'];
    const forward = async (host: string, port: number) => {
      const forwarded = await forwardThroughRelay({ socketPath: join(runDir, 'relay.sock'), host, port });
      forwards.add(forwarded);
      return {
        port: forwarded.port,
        close: async () => {
          forwards.delete(forwarded);
          await forwarded.close();
        },
      };
    };
    const exec = (command: string | string[]) =>
      new Promise<{ stdout: string; stderr: string; code: number }>((resolve, reject) => {
        const argv = typeof command === 'string' ? ['sh', '-c', command] : command;
        // In the node's PID namespace too, so ps and /proc show the node's processes.
        const run = spawn('nsenter', [...enter, '--pid', '--', ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        run.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
        });
        run.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
        });
        run.once('error', reject);
        run.once('close', (code) => resolve({ stdout, stderr, code: code ?? -1 }));
      });
    const apiserver = await forward(nodeLayout.nodeIp, nodeLayout.apiserverPort);
    const apiserverUrl = `https://127.0.0.1:${apiserver.port}`;
    const adminToken = readFileSync(join(runDir, 'admin-token'), 'utf8');
    const caCertificatePath = join(runDir, 'ca.crt');
    const kubeconfigPath = join(runDir, 'kubeconfig');
    writeFileSync(
      kubeconfigPath,
      kubeconfigYaml({ server: apiserverUrl, token: adminToken, caCertificate: readFileSync(caCertificatePath) }),
      { mode: 0o600 },
    );
    say(`node ${nodeName} ready in ${((Date.now() - startedAt) / 1000).toFixed(1)}s; kubeconfig ${kubeconfigPath}`);
    return {
      kubeconfigPath,
      apiserverUrl,
      adminToken,
      caCertificatePath,
      nodeName,
      nodeIp: nodeLayout.nodeIp,
      podCidr: nodeLayout.podCidr,
      serviceCidr: nodeLayout.serviceCidr,
      clusterDnsIp: nodeLayout.clusterDnsIp,
      pauseImage: images.pause.reference,
      cgroupRoot: `/${nodeCgroupName(runId)}`,
      initPid,
      runDir,
      forward,
      spawnInside: (command, args, spawnOptions = {}) => {
        const process = spawn(
          'nsenter',
          [...enter, '--', 'setpriv', '--pdeathsig', 'SIGKILL', '--', command, ...args],
          spawnOptions,
        );
        spawnedInside.add(process);
        process.once('exit', () => spawnedInside.delete(process));
        return process;
      },
      exec,
      importImages: async (archives) => {
        for (const archive of archives) {
          const { code, stderr } = await exec(['ctr', ...ctrImportArgs(archive)]);
          if (code !== 0) throw new Error(`ctr images import ${archive} failed (exit ${code}): ${stderr.trim()}`);
        }
      },
      logTail: (component, lines = 40) => logTail(componentLogFile(runDir, component), lines),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function waitForReady(params: {
  child: ChildProcess;
  exited: Promise<void>;
  runDir: string;
  say: (message: string) => void;
  timeoutMs: number;
}): Promise<void> {
  const { child, exited, runDir, say, timeoutMs } = params;
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      new Promise<void>((resolve, reject) => {
        lines.on('line', (line) => {
          const parsed = NodeSupervisorEvent.safeParse(safeJson(line));
          if (!parsed.success) return say(`supervisor: ${line}`);
          const event = parsed.data;
          if (event.event === 'progress') say(event.message);
          if (event.event === 'ready') resolve();
          if (event.event === 'failed') reject(new Error(`the real node failed to start: ${event.message}`));
        });
      }),
      exited.then(() => {
        throw new Error(
          `the node supervisor exited before the node was ready\n${logTail(componentLogFile(runDir, 'supervisor'), 40)}`,
        );
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the real node was not ready within ${timeoutMs / 1000}s`)),
          timeoutMs,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
    lines.removeAllListeners('line');
  }
  // Later output (a component that exits, say) still reaches the test's log.
  lines.on('line', (line) => {
    const parsed = NodeSupervisorEvent.safeParse(safeJson(line));
    say(parsed.success && parsed.data.event === 'progress' ? parsed.data.message : `supervisor: ${line}`);
  });
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/** The one child of `pid` (unshare's: the node's init, pause), by its host PID. */
function childPid(pid: number): number {
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
  if (children.length !== 1 || !children[0])
    throw new Error(`unshare (pid ${pid}) has children [${children.join(', ')}], expected just the node's init`);
  return Number(children[0]);
}

import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { connect, createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { locateTestBinaries } from '../binaries/locate-test-binaries.ts';
import { forwardThroughRelay } from '../node/node-relay.ts';
import { outputOf } from '../support/output-of.ts';

const run = promisify(execFile);

/** What the real-node suites need of the node and the release that real-node.test.ts made. */
export interface RealNodeInfo {
  kubeconfigPath: string;
  /** The run's folder on the machine's disk: the relay socket, logs, the kubeconfig. */
  runDir: string;
  /** PID (in the machine's PID namespace) of a process inside the node's namespaces. */
  pid: number;
  /** The Cloud API, through a loopback port relayed to its Service. */
  apiUrl: string;
  images: { product: string; postgres: string };
  /** The last lines of a node component's log, for a failure message. */
  logTail(component: string, lines?: number): string;
}

let provided: RealNodeInfo | undefined;

/** Called by real-node.test.ts once the node runs and the chart is installed. */
export function provideRealNode(info: RealNodeInfo): void {
  provided = info;
}

export interface AttachedNode extends RealNodeInfo {
  admin: KubeConfig;
  /** A loopback URL whose connections go to host:port as seen from inside the node. */
  forward(host: string, port: number): Promise<{ port: number; close(): Promise<void> }>;
  /** A command run to completion in the node's network, mount and PID namespaces. */
  exec(command: string): Promise<{ stdout: string; stderr: string; code: number }>;
  /** `kubectl` as the cluster's admin. */
  kubectl(args: string[]): Promise<string>;
  /**
   * Makes a server of this test process reachable from pods at `address:port` inside the node
   * (a fake model provider, a fake metadata server): a relay in the node's network namespace
   * passes each connection, over a unix socket, to 127.0.0.1:`localPort` here.
   */
  exposeToNode(params: { address: string; port: number; localPort: number }): Promise<{ close(): Promise<void> }>;
}

/** The real node of this test file, for a suite's beforeAll. */
export function attachRealNode(): AttachedNode {
  const kubectlPath = locateTestBinaries().kubectl;
  const info = provided;
  if (!info) throw new Error('no real node: the real-node suites run from test/real-node/real-node.test.ts');
  const admin = new KubeConfig();
  admin.loadFromFile(info.kubeconfigPath);
  const enter = ['--target', String(info.pid), '--net', '--mount'];
  return {
    ...info,
    admin,
    forward: (host, port) => forwardThroughRelay({ socketPath: join(info.runDir, 'relay.sock'), host, port }),
    exec: (command) =>
      outputOf(spawn('nsenter', [...enter, '--pid', '--', 'sh', '-c', command], { stdio: ['ignore', 'pipe', 'pipe'] })),
    kubectl: async (args) =>
      (
        await run(kubectlPath, args, {
          env: { ...process.env, KUBECONFIG: info.kubeconfigPath },
          maxBuffer: 16 * 1024 * 1024,
        })
      ).stdout,
    exposeToNode: ({ address, port, localPort }) =>
      exposeToNode({ enter, runDir: info.runDir, address, port, localPort }),
  };
}

async function exposeToNode(params: {
  enter: string[];
  runDir: string;
  address: string;
  port: number;
  localPort: number;
}): Promise<{ close(): Promise<void> }> {
  const socketPath = join(params.runDir, `expose-${params.address}-${params.port}.sock`);
  const unixServer: Server = createServer((client) => {
    const upstream = connect({ host: '127.0.0.1', port: params.localPort });
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    unixServer.once('error', reject);
    unixServer.listen(socketPath, resolve);
  });
  const relay: ChildProcess = spawn(
    'nsenter',
    [
      ...params.enter,
      '--',
      'setpriv',
      '--pdeathsig',
      'SIGKILL',
      '--',
      process.execPath,
      join(import.meta.dirname, 'tcp-to-unix-relay.ts'),
      params.address,
      String(params.port),
      socketPath,
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  relay.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    relay.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('listening')) resolve();
    });
    relay.once('exit', (code) =>
      reject(new Error(`relay to ${params.address}:${params.port} exited ${code}: ${stderr}`)),
    );
  });
  return {
    close: async () => {
      relay.kill('SIGKILL');
      await new Promise<void>((resolve) => unixServer.close(() => resolve()));
    },
  };
}

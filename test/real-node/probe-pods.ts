import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { eventually } from '../support/eventually.ts';
import type { AttachedNode } from './attach-real-node.ts';

// A connection attempt from inside a pod: the product image has Node, so `node -e` makes one TCP
// connection and says how it went. A NetworkPolicy drop shows as `timeout`, a reject as an error
// code; only `connected` means the packets got through both ways.
const connectScript = [
  'const [host, port] = process.argv.slice(1);',
  "const socket = require('node:net').connect({ host, port: Number(port), timeout: 3000 });",
  "socket.on('connect', () => { console.log('connected'); process.exit(0); });",
  "socket.on('timeout', () => { console.log('timeout'); process.exit(0); });",
  "socket.on('error', (err) => { console.log(err.code); process.exit(0); });",
].join('\n');

export type ConnectOutcome = 'connected' | 'timeout' | string;

/** What a connection from `container` of `pod` to host:port does. */
export async function connectFrom(
  node: AttachedNode,
  target: { namespace: string; pod: string; container?: string },
  host: string,
  port: number,
): Promise<ConnectOutcome> {
  const output = await node.kubectl([
    'exec',
    '--namespace',
    target.namespace,
    target.pod,
    ...(target.container ? ['--container', target.container] : []),
    '--',
    'node',
    '-e',
    connectScript,
    host,
    String(port),
  ]);
  return output.trim();
}

/** Runs `script` with `node -e` in the pod and returns its stdout. */
export async function nodeScriptIn(
  node: AttachedNode,
  target: { namespace: string; pod: string },
  script: string,
): Promise<string> {
  return (await node.kubectl(['exec', '--namespace', target.namespace, target.pod, '--', 'node', '-e', script])).trim();
}

/**
 * A pod that only idles, from the product image, fit for Pod Security `restricted` and an org
 * namespace's quota, to make connection attempts from. Resolves once it runs.
 */
export async function startProbePod(
  node: AttachedNode,
  params: { namespace: string; name: string; labels?: Record<string, string> },
): Promise<V1Pod> {
  const core = node.admin.makeApiClient(CoreV1Api);
  await core.createNamespacedPod({
    namespace: params.namespace,
    body: {
      metadata: { name: params.name, labels: { 'astromesh.test/probe': 'true', ...params.labels } },
      spec: {
        automountServiceAccountToken: false,
        terminationGracePeriodSeconds: 0,
        securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          {
            name: 'probe',
            image: node.images.product,
            imagePullPolicy: 'Never',
            command: ['node', '-e', 'setInterval(() => {}, 1 << 30)'],
            resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
            securityContext: {
              allowPrivilegeEscalation: false,
              readOnlyRootFilesystem: true,
              capabilities: { drop: ['ALL'] },
            },
          },
        ],
      },
    },
  });
  return eventually(
    async () => {
      const pod = await core.readNamespacedPod({ namespace: params.namespace, name: params.name });
      if (pod.status?.phase !== 'Running' || !pod.status.podIP)
        throw new Error(`probe ${params.name} is ${pod.status?.phase}`);
      return pod;
    },
    { timeoutMs: 120_000, intervalMs: 500 },
  );
}

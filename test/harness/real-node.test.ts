import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeIdentity, nodeLeftovers } from '../node/node-leftovers.ts';
import { type RealNode, startRealNode } from '../node/start-real-node.ts';
import { eventually } from '../support/eventually.ts';

const repoRoot = join(import.meta.dirname, '..', '..');
const node24 = join(repoRoot, 'node_modules', 'node', 'bin', 'node');
const nodeStartTimeoutMs = 300_000;
const podStartTimeoutMs = 120_000;

describe('the real test node', () => {
  let node: RealNode;
  let core: CoreV1Api;

  beforeAll(async () => {
    node = await startRealNode();
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(node.kubeconfigPath);
    core = kubeConfig.makeApiClient(CoreV1Api);
  }, nodeStartTimeoutMs);

  afterAll(async () => {
    await node?.stop();
  });

  async function aNamespace(): Promise<string> {
    const name = `node-test-${randomBytes(3).toString('hex')}`;
    await core.createNamespace({ body: { metadata: { name } } });
    // Pods need the namespace's default ServiceAccount, which the controller-manager makes.
    await eventually(() => core.readNamespacedServiceAccount({ namespace: name, name: 'default' }), {
      timeoutMs: 30_000,
    });
    return name;
  }

  async function runningPod(namespace: string, pod: V1Pod): Promise<V1Pod> {
    await core.createNamespacedPod({ namespace, body: pod });
    const name = pod.metadata?.name ?? '';
    return eventually(
      async () => {
        const current = await core.readNamespacedPod({ namespace, name });
        expect(current.status?.phase, JSON.stringify(current.status?.containerStatuses)).toBe('Running');
        return current;
      },
      { timeoutMs: podStartTimeoutMs, intervalMs: 250 },
    );
  }

  it('runs a pod on containerd with an address from the pod range', async () => {
    const namespace = await aNamespace();

    const pod = await runningPod(namespace, aPausePod(node.pauseImage, 'sleeper'));

    expect(pod.spec?.nodeName).toBe(node.nodeName);
    expect(pod.status?.podIP).toMatch(/^10\.244\.0\.\d+$/);
    expect(pod.status?.containerStatuses?.[0]?.containerID).toMatch(/^containerd:\/\//);
  });

  it("puts a container's memory limit into its cgroup", async () => {
    const namespace = await aNamespace();
    const pod = aPausePod(node.pauseImage, 'limited');
    pod.spec?.containers.forEach((container) => {
      container.resources = { limits: { memory: '48Mi', cpu: '100m' } };
    });

    const running = await runningPod(namespace, pod);

    const podCgroup = findPodCgroup(join('/sys/fs/cgroup/memory', node.cgroupRoot), running.metadata?.uid ?? '');
    const containerId = running.status?.containerStatuses?.[0]?.containerID?.replace('containerd://', '') ?? '';
    expect(readFileSync(join(podCgroup, containerId, 'memory.limit_in_bytes'), 'utf8').trim()).toBe(
      String(48 * 1024 * 1024),
    );
  });

  it('tears down everything it made when stopped', async () => {
    const identity = nodeIdentity(node);
    // Started inside the node's namespaces, as a test's fake would be: it must go too.
    node.spawnInside('sleep', ['3600'], { stdio: 'ignore' });
    expect(nodeLeftovers(identity)).not.toEqual([]);

    await node.stop();

    expect(nodeLeftovers(identity)).toEqual([]);
  });
});

describe('a real test node whose test process is killed', () => {
  it(
    'goes away with it, with whatever tests started inside it',
    async () => {
      const holder = spawn(node24, [join(repoRoot, 'test', 'fixtures', 'hold-real-node.ts')], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      const line = await new Promise<string>((resolve, reject) => {
        createInterface({ input: holder.stdout }).once('line', resolve);
        holder.once('exit', (code) =>
          reject(new Error(`hold-real-node exited (code ${code}) before its node was ready`)),
        );
      });
      const started = JSON.parse(line) as { runDir: string; initPid: number; cgroupRoot: string; insidePid: number };
      const identity = nodeIdentity(started);

      holder.kill('SIGKILL');

      await eventually(
        () => {
          expect(nodeLeftovers(identity)).toEqual([]);
          expect(isAlive(started.insidePid)).toBe(false);
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      );
    },
    nodeStartTimeoutMs,
  );
});

function aPausePod(image: string, name: string): V1Pod {
  return {
    metadata: { name },
    spec: {
      containers: [{ name: 'pause', image, imagePullPolicy: 'Never' }],
      terminationGracePeriodSeconds: 1,
    },
  };
}

/** The pod's cgroup: below kubepods/, or kubepods/<qos class>/ unless the pod is Guaranteed. */
function findPodCgroup(root: string, podUid: string): string {
  for (const dir of [
    join(root, 'kubepods'),
    join(root, 'kubepods', 'burstable'),
    join(root, 'kubepods', 'besteffort'),
  ]) {
    if (readdirSync(dir).includes(`pod${podUid}`)) return join(dir, `pod${podUid}`);
  }
  throw new Error(`no cgroup of pod ${podUid} below ${root}`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

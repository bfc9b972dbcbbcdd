import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import {
  AppsV1Api,
  CoreV1Api,
  DiscoveryV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1Pod,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { loopbackAddressOf } from '../support/fake-kubelet.ts';
import { isPodReady } from '../support/is-pod-ready.ts';
import { startTestCluster, type TestCluster } from '../support/start-test-cluster.ts';

const echoImage = 'registry.example/echo-server';
const echoServer = join(import.meta.dirname, '..', 'fixtures', 'echo-server.ts');
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const podsTimeoutMs = 30_000;

describe('the end-to-end test cluster', () => {
  let cluster: TestCluster;

  beforeAll(async () => {
    cluster = await startTestCluster({ images: { [echoImage]: { command: [process.execPath, echoServer] } } });
  }, 180_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('runs a Deployment as Ready pods on addresses of their own, listed in the Service EndpointSlice', async () => {
    const { namespace } = await anEchoDeployment({ cluster, replicas: 2, message: 'hello from a configMap' });

    const pods = await eventually(() => readyPods(cluster, namespace, 2), { timeoutMs: podsTimeoutMs });

    const podIps = pods.map((pod) => pod.status?.podIP ?? '');
    expect(new Set(podIps).size).toBe(2);
    const slices = await eventually(async () => {
      const ready = await readyEndpointAddresses(cluster, namespace);
      expect(ready.sort()).toEqual([...podIps].sort());
      return ready;
    });
    for (const address of slices) {
      const base = `http://${loopbackAddressOf(address)}:8080`;
      expect(await (await fetch(`${base}/file`)).text()).toBe('hello from a configMap');
      expect(await (await fetch(`${base}/env`)).text()).toBe('a secret greeting');
    }
  }, 60_000);

  it('deletes a pod and ends its process when the Deployment scales down', async () => {
    const { namespace, name } = await anEchoDeployment({ cluster, replicas: 2 });
    await eventually(() => readyPods(cluster, namespace, 2), { timeoutMs: podsTimeoutMs });
    const pidsBefore = pidsIn(cluster, namespace);

    await cluster.kubeConfig
      .makeApiClient(AppsV1Api)
      .patchNamespacedDeployment({ namespace, name, body: { spec: { replicas: 1 } } }, mergePatch);

    const [remaining] = await eventually(
      async () => {
        const pods = await listPods(cluster, namespace);
        expect(pods).toHaveLength(1);
        return pods;
      },
      { timeoutMs: podsTimeoutMs },
    );
    const pidsAfter = await eventually(() => {
      const pids = pidsIn(cluster, namespace);
      expect(pids).toHaveLength(1);
      return pids;
    });
    const removedPid = pidsBefore.find((pid) => !pidsAfter.includes(pid));
    expect(isRunning(removedPid)).toBe(false);
    expect(remaining?.status?.conditions?.find((condition) => condition.type === 'Ready')?.status).toBe('True');
  }, 60_000);

  it('restarts a killed container and reports it Ready again', async () => {
    const { namespace } = await anEchoDeployment({ cluster, replicas: 1 });
    const [pod] = await eventually(() => readyPods(cluster, namespace, 1), { timeoutMs: podsTimeoutMs });
    const name = pod?.metadata?.name ?? '';

    const killedPid = cluster.kubelet.killContainer({ namespace, pod: name });

    const restarted = await eventually(
      async () => {
        const current = await cluster.kubeConfig.makeApiClient(CoreV1Api).readNamespacedPod({ namespace, name });
        expect(current.status?.containerStatuses?.[0]?.restartCount).toBe(1);
        expect(isPodReady(current)).toBe(true);
        return current;
      },
      { timeoutMs: podsTimeoutMs },
    );
    expect(restarted.status?.containerStatuses?.[0]?.lastState?.terminated?.exitCode).toBe(137);
    expect(isRunning(killedPid)).toBe(false);
    expect(pidsIn(cluster, namespace)).not.toContain(killedPid);
  }, 60_000);

  it('garbage-collects the ReplicaSet and pods of a deleted Deployment', async () => {
    const { namespace, name } = await anEchoDeployment({ cluster, replicas: 2 });
    await eventually(() => readyPods(cluster, namespace, 2), { timeoutMs: podsTimeoutMs });
    const pids = pidsIn(cluster, namespace);

    await cluster.kubeConfig.makeApiClient(AppsV1Api).deleteNamespacedDeployment({ namespace, name });

    await eventually(
      async () => {
        const apps = cluster.kubeConfig.makeApiClient(AppsV1Api);
        expect((await apps.listNamespacedReplicaSet({ namespace })).items).toEqual([]);
        expect(await listPods(cluster, namespace)).toEqual([]);
      },
      { timeoutMs: podsTimeoutMs },
    );
    expect(pids.filter(isRunning)).toEqual([]);
  }, 60_000);

  it('reports a container whose image it does not know as ErrImagePull', async () => {
    const { namespace } = await anEchoDeployment({ cluster, replicas: 1, image: 'registry.example/unknown:1.0' });

    const waiting = await eventually(
      async () => {
        const [pod] = await listPods(cluster, namespace);
        const state = pod?.status?.containerStatuses?.[0]?.state?.waiting;
        expect(state?.reason).toBe('ErrImagePull');
        return state;
      },
      { timeoutMs: podsTimeoutMs },
    );

    expect(waiting?.message).toContain('registry.example/unknown:1.0');
  }, 60_000);
});

/**
 * A namespace with an echo-server Deployment that reads a configMap volume and a secret env var,
 * its pods' IPs passed in through `$(POD_IP)`, and a Service selecting them.
 */
async function anEchoDeployment(params: { cluster: TestCluster; replicas: number; message?: string; image?: string }) {
  const { cluster, replicas, message = 'hello', image = `${echoImage}:1.0` } = params;
  const core = cluster.kubeConfig.makeApiClient(CoreV1Api);
  const namespace = `e2e-${randomBytes(4).toString('hex')}`;
  const name = 'echo';
  const labels = { app: name };
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  await core.createNamespacedConfigMap({
    namespace,
    body: { metadata: { name: 'echo-content' }, data: { message } },
  });
  await core.createNamespacedSecret({
    namespace,
    body: { metadata: { name: 'echo-secret' }, stringData: { greeting: 'a secret greeting' } },
  });
  await core.createNamespacedService({
    namespace,
    body: { metadata: { name }, spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] } },
  });
  await cluster.kubeConfig.makeApiClient(AppsV1Api).createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name },
      spec: {
        replicas,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            containers: [
              {
                name,
                image,
                args: ['--host', '$(POD_IP)', '--port', '8080', '--file', '/etc/echo/message.txt', '--env', 'GREETING'],
                env: [
                  { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
                  { name: 'GREETING', valueFrom: { secretKeyRef: { name: 'echo-secret', key: 'greeting' } } },
                ],
                ports: [{ name: 'http', containerPort: 8080 }],
                readinessProbe: { httpGet: { path: '/healthz', port: 'http' } },
                volumeMounts: [{ name: 'content', mountPath: '/etc/echo', readOnly: true }],
              },
            ],
            volumes: [
              {
                name: 'content',
                configMap: { name: 'echo-content', items: [{ key: 'message', path: 'message.txt' }] },
              },
            ],
          },
        },
      },
    },
  });
  return { namespace, name };
}

async function listPods(cluster: TestCluster, namespace: string): Promise<V1Pod[]> {
  return (await cluster.kubeConfig.makeApiClient(CoreV1Api).listNamespacedPod({ namespace })).items;
}

async function readyPods(cluster: TestCluster, namespace: string, count: number): Promise<V1Pod[]> {
  const pods = await listPods(cluster, namespace);
  expect(pods.map((pod) => ({ phase: pod.status?.phase, ready: isPodReady(pod) }))).toEqual(
    Array.from({ length: count }, () => ({ phase: 'Running', ready: true })),
  );
  return pods;
}

async function readyEndpointAddresses(cluster: TestCluster, namespace: string): Promise<string[]> {
  const slices = await cluster.kubeConfig
    .makeApiClient(DiscoveryV1Api)
    .listNamespacedEndpointSlice({ namespace, labelSelector: 'kubernetes.io/service-name=echo' });
  return slices.items.flatMap((slice) =>
    (slice.endpoints ?? []).filter((endpoint) => endpoint.conditions?.ready).flatMap((endpoint) => endpoint.addresses),
  );
}

function pidsIn(cluster: TestCluster, namespace: string): number[] {
  return [...cluster.kubelet.processes().values()]
    .filter((pod) => pod.namespace === namespace)
    .flatMap((pod) => (pod.pid === undefined ? [] : [pod.pid]));
}

function isRunning(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

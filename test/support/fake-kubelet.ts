import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, type KubeConfig, makeInformer, type V1Pod } from '@kubernetes/client-node';
import type { FakeImages, KubeletLog } from './fake-kubelet/kubelet-types.ts';
import { claimPodAddressPool, type PodAddress } from './fake-kubelet/pod-address-pool.ts';
import { registerNode } from './fake-kubelet/register-node.ts';
import { type ContainerProcess, type PodRun, runPod } from './fake-kubelet/run-pod.ts';

export type { FakeImage, FakeImages, KubeletLog } from './fake-kubelet/kubelet-types.ts';
export { loopbackAddressOf } from './fake-kubelet/pod-address-pool.ts';

const watchRestartDelayMs = 1_000;

/** A pod the fake kubelet runs, as `processes()` lists it. */
export interface PodProcesses {
  namespace: string;
  pod: string;
  uid: string;
  /** The pod's own loopback address (127.244.x.y): where its servers listen and can be reached. */
  ip: string;
  /** The pod IP in its status and in EndpointSlices (10.244.x.y); `loopbackAddressOf` maps it to `ip`. */
  podIp: string;
  /** Of the pod's first container; `containers` lists every one. */
  pid: number | undefined;
  logPath: string;
  containers: ContainerProcess[];
}

export interface FakeKubelet {
  nodeName: string;
  /** Running pods by `namespace/name`. */
  processes(): Map<string, PodProcesses>;
  /** SIGKILLs a container's process, as a crash would; returns its pid. The restart policy applies. */
  killContainer(params: { namespace: string; pod: string; container?: string }): number | undefined;
  /** Stops watching and ends every container process. */
  stop(): Promise<void>;
}

/**
 * A test-only stand-in for a kubelet: registers a Node, binds unscheduled pods to it (there is
 * no scheduler either), and runs each pod's containers as local processes that `images` maps
 * container images to. What differs from a real node:
 * - processes share this machine's file system and network; each pod gets a loopback address
 *   of its own, and paths under a volume mount are rewritten to the pod's folder;
 * - ConfigMaps and Secrets are read when a container starts: later changes are not propagated;
 * - readiness probes run every 300 ms; liveness and startup probes and init containers do not
 *   run; there are no resource limits, no service links and no image pulls.
 */
export async function startFakeKubelet(params: {
  kubeConfig: KubeConfig;
  images: FakeImages;
  nodeName?: string;
  log?: KubeletLog;
  /** Where pod folders (volumes, logs) go; a temporary folder, removed by `stop()`, if not given. */
  workDir?: string;
}): Promise<FakeKubelet> {
  const { kubeConfig, images, nodeName = 'fake-node', log = () => {} } = params;
  const ownsWorkDir = params.workDir === undefined;
  const workDir = params.workDir ?? mkdtempSync(join(tmpdir(), 'astromesh-kubelet-'));
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const node = await registerNode({ core, nodeName, log });
  const addresses = await claimPodAddressPool();
  const pods = new Map<string, { run: PodRun; address: PodAddress; pod: V1Pod }>();
  const bindingsSent = new Set<string>();
  // Only PATH is taken from this process: a container should not inherit the test runner's environment.
  const baseEnv = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: workDir };
  let stopped = false;

  const observe = (pod: V1Pod) => {
    if (stopped) return;
    const uid = pod.metadata?.uid ?? '';
    if (!pod.spec?.nodeName) {
      bindIfUnscheduled(pod);
      return;
    }
    if (pod.spec.nodeName !== nodeName) return;
    let entry = pods.get(uid);
    if (!entry) {
      // A finished pod keeps its final status; there is nothing left to run.
      if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return;
      const address = addresses.allocate();
      const podDir = join(workDir, 'pods', `${pod.metadata?.namespace}_${pod.metadata?.name}_${uid.slice(0, 8)}`);
      const run = runPod({
        deps: { core, images, baseEnv: { ...baseEnv, HOSTNAME: pod.metadata?.name ?? '' }, log },
        pod,
        address,
        podDir,
      });
      entry = { run, address, pod };
      pods.set(uid, entry);
    }
    entry.pod = pod;
    entry.run.observe(pod);
  };

  const forget = (pod: V1Pod) => {
    const uid = pod.metadata?.uid ?? '';
    bindingsSent.delete(uid);
    const entry = pods.get(uid);
    if (!entry) return;
    pods.delete(uid);
    void entry.run.forget().finally(() => addresses.release(entry.address));
  };

  // There is no kube-scheduler, so the kubelet places pods meant for the default scheduler itself.
  const bindIfUnscheduled = (pod: V1Pod) => {
    const uid = pod.metadata?.uid ?? '';
    const schedulerName = pod.spec?.schedulerName ?? 'default-scheduler';
    if (pod.metadata?.deletionTimestamp || schedulerName !== 'default-scheduler' || bindingsSent.has(uid)) return;
    bindingsSent.add(uid);
    const namespace = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    core
      .createNamespacedPodBinding({
        namespace,
        name,
        body: { metadata: { name, uid }, target: { apiVersion: 'v1', kind: 'Node', name: nodeName } },
      })
      .catch((err: unknown) => {
        const code = (err as { code?: number }).code;
        if (code === 404 || code === 409) return;
        bindingsSent.delete(uid);
        log({ namespace, pod: name, err: String(err) }, 'binding failed');
      });
  };

  const informer = makeInformer<V1Pod>(kubeConfig, '/api/v1/pods', () => core.listPodForAllNamespaces());
  informer.on('add', observe);
  informer.on('update', observe);
  informer.on('delete', forget);
  // The informer gives up on errors other than timeouts and expired resource versions.
  informer.on('error', (err: unknown) => {
    if (stopped) return;
    log({ err: String(err) }, 'pod watch failed, restarting');
    setTimeout(() => {
      if (!stopped) void informer.start();
    }, watchRestartDelayMs);
  });
  await informer.start();

  const killAllNow = () => {
    for (const entry of pods.values()) entry.run.killNow();
  };
  process.once('exit', killAllNow);

  return {
    nodeName,
    processes() {
      const listed = new Map<string, PodProcesses>();
      for (const [uid, entry] of pods) {
        const namespace = entry.pod.metadata?.namespace ?? '';
        const name = entry.pod.metadata?.name ?? '';
        const { podIp, address, containers } = entry.run.processes();
        const first = containers[0];
        listed.set(`${namespace}/${name}`, {
          namespace,
          pod: name,
          uid,
          ip: address,
          podIp,
          pid: first?.pid,
          logPath: first?.logPath ?? '',
          containers,
        });
      }
      return listed;
    },
    killContainer({ namespace, pod, container }) {
      const entry = [...pods.values()].find(
        (candidate) => candidate.pod.metadata?.namespace === namespace && candidate.pod.metadata?.name === pod,
      );
      if (!entry) throw new Error(`the fake kubelet runs no pod ${namespace}/${pod}`);
      return entry.run.killContainer(container);
    },
    async stop() {
      stopped = true;
      node.stop();
      await informer.stop();
      await Promise.all([...pods.values()].map((entry) => entry.run.forget()));
      pods.clear();
      await addresses.close();
      process.off('exit', killAllNow);
      if (ownsWorkDir) rmSync(workDir, { recursive: true, force: true });
    },
  };
}

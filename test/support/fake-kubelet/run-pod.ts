import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { CoreV1Api, V1Pod } from '@kubernetes/client-node';
import { buildPodStatus, type PodConditionPatch } from './build-pod-status.ts';
import { ContainerConfigError, type FakeImages, type KubeletLog } from './kubelet-types.ts';
import type { PodAddress } from './pod-address-pool.ts';
import { prepareContainerLaunch } from './prepare-container-launch.ts';
import { type ContainerRun, type ContainerSnapshot, type RestartPolicy, runContainer } from './run-container.ts';
import { createPodStatusWriter } from './write-pod-status.ts';
import { writePodVolumes } from './write-pod-volumes.ts';

const retryAfterMs = 1_000;
// Deleting pods waits for their processes; tests should not wait out a 30 s default grace period.
const maxGracePeriodMs = 3_000;

export interface PodDeps {
  core: CoreV1Api;
  images: FakeImages;
  baseEnv: Record<string, string>;
  log: KubeletLog;
}

/** One container of a running pod, as `kubelet.processes()` lists it. */
export interface ContainerProcess {
  container: string;
  pid: number | undefined;
  logPath: string;
  restartCount: number;
  ready: boolean;
}

/**
 * Runs one pod bound to the node: its volumes in a folder of its own, its containers as
 * processes on the pod's address, its status written back through `pods/status`. When the
 * pod is being deleted it stops the processes and removes the pod, as a kubelet does.
 */
export function runPod(params: { deps: PodDeps; pod: V1Pod; address: PodAddress; podDir: string }) {
  const { deps, address, podDir } = params;
  let pod = params.pod;
  const namespace = pod.metadata?.namespace ?? 'default';
  const name = pod.metadata?.name ?? '';
  const uid = pod.metadata?.uid ?? '';
  const log: KubeletLog = (fields, message) => deps.log({ namespace, pod: name, ...fields }, message);
  const restartPolicy = (pod.spec?.restartPolicy ?? 'Always') as RestartPolicy;
  const startTime = `${new Date().toISOString().slice(0, 19)}Z`;
  const runs = new Map<string, ContainerRun>();
  const blocked = new Map<string, { reason: string; message: string }>();
  let sandboxReady = false;
  let volumeFolders = new Map<string, string>();
  let stopped = false;
  let terminating: Promise<void> | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let lastConditions: PodConditionPatch[] = [];
  mkdirSync(join(podDir, 'logs'), { recursive: true });

  const containers = () => pod.spec?.containers ?? [];

  const snapshots = (): ContainerSnapshot[] =>
    containers().map((container) => {
      const run = runs.get(container.name);
      if (run) return run.snapshot();
      const waiting = blocked.get(container.name) ?? { reason: 'ContainerCreating', message: '' };
      return {
        name: container.name,
        image: container.image ?? '',
        pid: undefined,
        logPath: logPathOf(container.name),
        ready: false,
        started: false,
        restartCount: 0,
        state: { waiting: { reason: waiting.reason, message: waiting.message || undefined } },
        lastState: {},
      };
    });

  const logPathOf = (container: string) => join(podDir, 'logs', `${container}.log`);

  const statusWriter = createPodStatusWriter({
    core: deps.core,
    namespace,
    name,
    log,
    build: () =>
      buildPodStatus({
        address,
        startTime,
        containers: snapshots(),
        restartPolicy,
        sandboxReady,
        blockedReason: (pod.spec?.initContainers ?? []).length > 0 ? initContainersUnsupported : undefined,
        previousConditions: lastConditions,
        otherConditions: pod.status?.conditions ?? [],
        readinessGates: (pod.spec?.readinessGates ?? []).map((gate) => gate.conditionType),
        now: `${new Date().toISOString().slice(0, 19)}Z`,
      }),
    onWritten: (status) => {
      lastConditions = status.conditions as PodConditionPatch[];
    },
  });
  const writeStatus = () => statusWriter.write();

  const onChange = () => void writeStatus();

  /** Prepares what is missing and starts what can start; retries what is blocked on config. */
  const startContainers = async (): Promise<void> => {
    if (stopped || terminating) return;
    if ((pod.spec?.initContainers ?? []).length > 0) {
      await writeStatus();
      return;
    }
    try {
      if (!sandboxReady) {
        volumeFolders = await writePodVolumes({ core: deps.core, pod, address, podDir, log });
        sandboxReady = true;
      }
      for (const container of containers()) {
        if (runs.has(container.name) || stopped || terminating) continue;
        try {
          const launch = await prepareContainerLaunch({
            core: deps.core,
            images: deps.images,
            pod,
            container,
            address,
            volumeFolders,
            podDir,
            baseEnv: deps.baseEnv,
          });
          if (stopped || terminating) return;
          const run = runContainer({
            container,
            launch,
            host: address.loopbackAddress,
            logPath: logPathOf(container.name),
            restartPolicy,
            log,
            onChange,
          });
          blocked.delete(container.name);
          runs.set(container.name, run);
          run.start();
        } catch (err) {
          if (!(err instanceof ContainerConfigError)) throw err;
          blocked.set(container.name, { reason: err.reason, message: err.message });
        }
      }
    } catch (err) {
      const reason = err instanceof ContainerConfigError ? err.reason : 'ContainerCreating';
      for (const container of containers()) {
        if (!runs.has(container.name)) blocked.set(container.name, { reason, message: (err as Error).message });
      }
    }
    await writeStatus();
    // Unknown images never appear later: only config (ConfigMaps, Secrets, tokens) is worth retrying.
    const retryable = [...blocked.values()].some((waiting) => waiting.reason !== 'ErrImagePull');
    if (retryable && !stopped && !terminating) {
      retryTimer = setTimeout(() => void startContainers().catch(logFailure), retryAfterMs);
    }
  };

  const logFailure = (err: unknown) => log({ err: String(err) }, 'pod start failed');

  const stopContainers = async (gracePeriodMs: number) => {
    clearTimeout(retryTimer);
    await Promise.all([...runs.values()].map((run) => run.stop(gracePeriodMs)));
  };

  void startContainers().catch(logFailure);

  return {
    /** Takes the newest version of the pod; a deletionTimestamp starts termination. */
    observe(next: V1Pod): void {
      pod = next;
      if (pod.metadata?.deletionTimestamp && !terminating) {
        terminating = terminate().catch((err) => log({ err: String(err) }, 'pod termination failed'));
      }
    },
    processes(): { podIp: string; address: string; containers: ContainerProcess[] } {
      return {
        podIp: address.podIp,
        address: address.loopbackAddress,
        containers: snapshots().map((snapshot) => ({
          container: snapshot.name,
          pid: snapshot.pid,
          logPath: snapshot.logPath,
          restartCount: snapshot.restartCount,
          ready: snapshot.ready,
        })),
      };
    },
    killContainer(container?: string): number | undefined {
      const run = container ? runs.get(container) : runs.values().next().value;
      if (!run) throw new Error(`pod ${namespace}/${name} has no running container ${container ?? ''}`);
      return run.kill();
    },
    /** The pod is gone from the API: stop its processes without writing anything back. */
    async forget(): Promise<void> {
      stopped = true;
      statusWriter.stop();
      await stopContainers(maxGracePeriodMs);
    },
    killNow(): void {
      stopped = true;
      statusWriter.stop();
      clearTimeout(retryTimer);
      for (const run of runs.values()) run.killNow();
    },
  };

  async function terminate(): Promise<void> {
    const gracePeriodSeconds =
      pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
    await stopContainers(Math.min(gracePeriodSeconds * 1000, maxGracePeriodMs));
    log({ gracePeriodSeconds }, 'pod processes stopped, removing the pod');
    // A kubelet finishes a graceful deletion with a zero grace period, guarded by the uid so a
    // new pod of the same name is never removed by mistake. Until it succeeds the pod stays
    // Terminating, so a failed attempt is retried.
    while (!stopped) {
      try {
        await deps.core.deleteNamespacedPod({
          namespace,
          name,
          gracePeriodSeconds: 0,
          body: { gracePeriodSeconds: 0, preconditions: { uid } },
        });
        return;
      } catch (err) {
        const code = (err as { code?: number }).code;
        if (code === 404 || code === 409) return;
        log({ err: String(err) }, 'pod removal failed, retrying');
        await delay(retryAfterMs);
      }
    }
  }
}

export type PodRun = ReturnType<typeof runPod>;

const initContainersUnsupported = {
  reason: 'InitContainersUnsupported',
  message: 'the fake kubelet does not run init containers',
};

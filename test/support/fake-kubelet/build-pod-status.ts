import type { V1PodCondition } from '@kubernetes/client-node';
import type { PodAddress } from './pod-address-pool.ts';
import type { ContainerSnapshot, RestartPolicy } from './run-container.ts';

const ownConditionTypes = ['PodScheduled', 'PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'Ready'];

/** A condition as written to the API: times are RFC 3339 strings. */
export interface PodConditionPatch {
  type: string;
  status: 'True' | 'False';
  reason?: string;
  message?: string;
  lastTransitionTime: string;
  lastProbeTime: null;
}

/**
 * The pod status a kubelet would report, as a JSON merge patch body. Conditions other kubelets
 * do not own (readiness gates, DisruptionTarget) are copied from `otherConditions` so the
 * patch, which replaces the whole list, keeps them.
 */
export function buildPodStatus(params: {
  address: PodAddress | undefined;
  startTime: string;
  containers: ContainerSnapshot[];
  restartPolicy: RestartPolicy;
  sandboxReady: boolean;
  blockedReason?: { reason: string; message: string };
  previousConditions: readonly PodConditionPatch[];
  otherConditions: readonly V1PodCondition[];
  readinessGates: readonly string[];
  now: string;
}) {
  const { address, startTime, containers, restartPolicy, sandboxReady, blockedReason, now } = params;
  const allReady = containers.length > 0 && containers.every((container) => container.ready);
  const gatesPass = params.readinessGates.every((gate) =>
    params.otherConditions.some((condition) => condition.type === gate && condition.status === 'True'),
  );
  const notReady = allReady ? undefined : { reason: 'ContainersNotReady', message: unreadyMessage(containers) };
  const conditions = [
    condition('PodScheduled', true),
    condition('PodReadyToStartContainers', sandboxReady),
    condition('Initialized', !blockedReason, blockedReason),
    condition('ContainersReady', allReady, notReady),
    condition(
      'Ready',
      allReady && gatesPass,
      notReady ?? (gatesPass ? undefined : { reason: 'ReadinessGatesNotReady' }),
    ),
  ].map((next) => keepTransitionTime(next, params.previousConditions, now));
  const podIp = sandboxReady ? address?.podIp : undefined;
  return {
    phase: podPhase(containers, restartPolicy),
    hostIP: '127.0.0.1',
    hostIPs: [{ ip: '127.0.0.1' }],
    podIP: podIp ?? null,
    podIPs: podIp ? [{ ip: podIp }] : null,
    startTime,
    conditions: [...conditions, ...params.otherConditions.filter((other) => !ownConditionTypes.includes(other.type))],
    containerStatuses: containers.map((container) => ({
      name: container.name,
      image: container.image,
      imageID: `fake-kubelet://${container.image}`,
      containerID: container.pid ? `fake-kubelet://${container.pid}` : undefined,
      ready: container.ready,
      started: container.started,
      restartCount: container.restartCount,
      state: container.state,
      lastState: container.lastState,
    })),
  };

  function condition(type: string, isTrue: boolean, why?: { reason: string; message?: string }) {
    return { type, status: isTrue ? 'True' : 'False', ...(isTrue ? {} : why) } as Omit<
      PodConditionPatch,
      'lastTransitionTime' | 'lastProbeTime'
    >;
  }
}

export type PodStatusPatch = ReturnType<typeof buildPodStatus>;

// Pending until every container has started once; a restarting container keeps the pod Running.
function podPhase(containers: ContainerSnapshot[], restartPolicy: RestartPolicy): string {
  const terminated = containers.map((container) => container.state.terminated);
  if (containers.length > 0 && terminated.every((state) => state !== undefined)) {
    const succeeded = terminated.every((state) => state?.exitCode === 0);
    if (restartPolicy === 'Never' || (restartPolicy === 'OnFailure' && succeeded)) {
      return succeeded ? 'Succeeded' : 'Failed';
    }
  }
  const everStarted = containers.every(
    (container) => container.state.running || container.state.terminated || container.restartCount > 0,
  );
  return everStarted ? 'Running' : 'Pending';
}

function unreadyMessage(containers: ContainerSnapshot[]): string {
  const names = containers.filter((container) => !container.ready).map((container) => container.name);
  return `containers with unready status: [${names.join(' ')}]`;
}

function keepTransitionTime(
  next: Omit<PodConditionPatch, 'lastTransitionTime' | 'lastProbeTime'>,
  previous: readonly PodConditionPatch[],
  now: string,
): PodConditionPatch {
  const before = previous.find((condition) => condition.type === next.type);
  const lastTransitionTime = before && before.status === next.status ? before.lastTransitionTime : now;
  return { ...next, lastTransitionTime, lastProbeTime: null };
}

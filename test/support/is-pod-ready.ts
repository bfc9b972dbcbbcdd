import type { V1Pod } from '@kubernetes/client-node';

/** Whether the kubelet reports the pod Ready (its `Ready` condition is `True`). */
export function isPodReady(pod: V1Pod): boolean {
  return (
    pod.status?.conditions?.some((condition) => condition.type === 'Ready' && condition.status === 'True') ?? false
  );
}

import type { V1Pod } from '@kubernetes/client-node';
import { ContainerConfigError } from './kubelet-types.ts';
import type { PodAddress } from './pod-address-pool.ts';

/**
 * The downward API: a `fieldRef` of an env var or a downwardAPI volume item. A pod sees its own
 * loopback address as its IP, since that is the address it can listen on.
 */
export function podFieldValue(params: { pod: V1Pod; fieldPath: string; address: PodAddress }): string {
  const { pod, fieldPath, address } = params;
  const metadata = pod.metadata ?? {};
  const keyed = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (keyed) {
    const map = (keyed[1] === 'labels' ? metadata.labels : metadata.annotations) ?? {};
    return map[keyed[2] as string] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.name':
      return metadata.name ?? '';
    case 'metadata.namespace':
      return metadata.namespace ?? '';
    case 'metadata.uid':
      return metadata.uid ?? '';
    case 'metadata.labels':
      return formatMap(metadata.labels);
    case 'metadata.annotations':
      return formatMap(metadata.annotations);
    case 'spec.nodeName':
      return pod.spec?.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec?.serviceAccountName ?? '';
    case 'status.hostIP':
    case 'status.hostIPs':
      return '127.0.0.1';
    case 'status.podIP':
    case 'status.podIPs':
      return address.loopbackAddress;
    default:
      throw new ContainerConfigError('CreateContainerConfigError', `unsupported fieldRef ${fieldPath}`);
  }
}

// The kubelet writes label and annotation maps one `key="value"` per line, sorted by key.
function formatMap(map: Record<string, string> | undefined): string {
  return Object.keys(map ?? {})
    .sort()
    .map((key) => `${key}=${JSON.stringify(map?.[key])}`)
    .join('\n');
}

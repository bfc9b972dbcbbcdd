import { arch } from 'node:os';
import { type CoreV1Api, PatchStrategy, setHeaderOptions, type V1Node } from '@kubernetes/client-node';
import type { KubeletLog } from './kubelet-types.ts';

const heartbeatIntervalMs = 10_000;
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/**
 * Registers the node and keeps its Ready condition fresh. The EndpointSlice controller skips
 * pods whose node it cannot find, so the node must exist before any pod is reported.
 */
export async function registerNode(params: { core: CoreV1Api; nodeName: string; log: KubeletLog }) {
  const { core, nodeName, log } = params;
  const node: V1Node = {
    metadata: {
      name: nodeName,
      labels: {
        'kubernetes.io/hostname': nodeName,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': arch() === 'x64' ? 'amd64' : arch(),
      },
    },
  };
  try {
    await core.createNode({ body: node });
  } catch (err) {
    if ((err as { code?: number }).code !== 409) throw err;
  }
  const heartbeat = async () => {
    await core.patchNodeStatus({ name: nodeName, body: { status: nodeStatus() } }, mergePatch);
  };
  await heartbeat();
  const timer = setInterval(() => {
    heartbeat().catch((err) => log({ node: nodeName, err: String(err) }, 'node heartbeat failed'));
  }, heartbeatIntervalMs);
  return {
    stop(): void {
      clearInterval(timer);
    },
  };
}

function nodeStatus() {
  const now = `${new Date().toISOString().slice(0, 19)}Z`;
  const condition = (type: string, status: string, reason: string) => ({
    type,
    status,
    reason,
    message: `fake kubelet: ${reason}`,
    lastHeartbeatTime: now,
    lastTransitionTime: now,
  });
  const resources = { cpu: '8', memory: '32Gi', pods: '250', 'ephemeral-storage': '100Gi' };
  return {
    conditions: [
      condition('Ready', 'True', 'KubeletReady'),
      condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory'),
      condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure'),
      condition('PIDPressure', 'False', 'KubeletHasSufficientPID'),
    ],
    addresses: [
      { type: 'InternalIP', address: '127.0.0.1' },
      { type: 'Hostname', address: 'localhost' },
    ],
    capacity: resources,
    allocatable: resources,
    daemonEndpoints: { kubeletEndpoint: { Port: 0 } },
    nodeInfo: {
      architecture: arch() === 'x64' ? 'amd64' : arch(),
      operatingSystem: 'linux',
      osImage: 'fake kubelet (local processes)',
      kernelVersion: '',
      kubeletVersion: 'fake',
      kubeProxyVersion: '',
      containerRuntimeVersion: 'fake-kubelet://1',
      machineID: '',
      systemUUID: '',
      bootID: '',
    },
  };
}

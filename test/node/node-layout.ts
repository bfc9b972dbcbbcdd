/**
 * The fixed addresses and paths of the real test node. They can be fixed because everything lives
 * in namespaces the run creates: no other process sees these ports, addresses or mounts.
 */
export const nodeLayout = {
  /** On a dummy interface in the node's network namespace; never on the machine's own. */
  nodeIp: '10.250.0.1',
  podCidr: '10.244.0.0/24',
  /** What kube-controller-manager hands out; the one node gets `podCidr`. */
  clusterCidr: '10.244.0.0/16',
  serviceCidr: '10.96.0.0/16',
  apiServiceIp: '10.96.0.1',
  clusterDnsIp: '10.96.0.10',
  clusterDomain: 'cluster.local',
  apiserverPort: 6443,
  etcdUrl: 'http://127.0.0.1:2379',
  kubeletHealthzPort: 10248,
  kubeProxyHealthzPort: 10256,
  kubeRouterHealthPort: 20244,
  /** tmpfs mounted inside the node's mount namespace: all node state, gone when the namespace goes. */
  stateDir: '/run/astromesh-node',
} as const;

export const nodeStatePaths = {
  pki: `${nodeLayout.stateDir}/pki`,
  etcdData: `${nodeLayout.stateDir}/etcd`,
  containerdRoot: `${nodeLayout.stateDir}/containerd`,
  containerdState: `${nodeLayout.stateDir}/containerd-state`,
  containerdOpt: `${nodeLayout.stateDir}/containerd-opt`,
  containerdConfig: `${nodeLayout.stateDir}/containerd.toml`,
  containerdSocket: `${nodeLayout.stateDir}/containerd.sock`,
  cniConfDir: `${nodeLayout.stateDir}/cni-conf`,
  cniIpamDir: `${nodeLayout.stateDir}/cni-ipam`,
  kubeletRoot: `${nodeLayout.stateDir}/kubelet`,
  kubeletConfig: `${nodeLayout.stateDir}/kubelet-config.yaml`,
  kubeletKubeconfig: `${nodeLayout.stateDir}/kubelet.kubeconfig`,
  kubeProxyConfig: `${nodeLayout.stateDir}/kube-proxy-config.yaml`,
  resolvConf: `${nodeLayout.stateDir}/resolv.conf`,
  home: `${nodeLayout.stateDir}/home`,
  manifests: `${nodeLayout.stateDir}/manifests`,
} as const;

/** Kubeconfig of a node component other than the kubelet (a `system:masters` token user). */
export function componentKubeconfigPath(component: string): string {
  return `${nodeLayout.stateDir}/${component}.kubeconfig`;
}

/** The per-run cgroup every pod of the node lives below, in each cgroup hierarchy. */
export function nodeCgroupName(runId: string): string {
  return `astromesh-node-${runId}`;
}

/** `ctr images import` of an image archive into the node's containerd, where the kubelet finds it. */
export function ctrImportArgs(archive: string): string[] {
  return [
    '--address',
    nodeStatePaths.containerdSocket,
    '--namespace',
    'k8s.io',
    'images',
    'import',
    '--snapshotter',
    'overlayfs',
    archive,
  ];
}

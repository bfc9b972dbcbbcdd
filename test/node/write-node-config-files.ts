import { readFileSync, writeFileSync } from 'node:fs';
import { dump } from 'js-yaml';
import type { NodePki } from './make-node-pki.ts';
import { componentKubeconfigPath, nodeLayout, nodeStatePaths } from './node-layout.ts';

const apiserverUrl = `https://${nodeLayout.nodeIp}:${nodeLayout.apiserverPort}`;

/**
 * Writes the configuration of containerd, the CNI network, the kubelet and kube-proxy, and a
 * kubeconfig per component, all inside the node's tmpfs.
 */
export function writeNodeConfigFiles(params: {
  pki: NodePki;
  nodeName: string;
  cgroupRoot: string;
  sandboxImage: string;
  componentTokens: Record<string, string>;
}): void {
  const { pki, nodeName, cgroupRoot, sandboxImage, componentTokens } = params;
  writeFileSync(nodeStatePaths.containerdConfig, containerdConfig(sandboxImage));
  writeFileSync(`${nodeStatePaths.cniConfDir}/10-astromesh-node.conflist`, JSON.stringify(cniConfList(), null, 2));
  // Pods with dnsPolicy Default get this; nothing outside the node exists to resolve with.
  writeFileSync(nodeStatePaths.resolvConf, '# the test node has no upstream DNS\n');
  const caCertificate = readFileSync(pki.caCertificate);
  for (const [component, token] of Object.entries(componentTokens)) {
    writeFileSync(componentKubeconfigPath(component), kubeconfig({ caCertificate, user: { token } }), { mode: 0o600 });
  }
  writeFileSync(
    nodeStatePaths.kubeletKubeconfig,
    kubeconfig({
      caCertificate,
      user: { 'client-certificate': pki.kubeletClientCertificate, 'client-key': pki.kubeletClientKey },
    }),
    { mode: 0o600 },
  );
  writeFileSync(nodeStatePaths.kubeletConfig, dump(kubeletConfiguration({ pki, cgroupRoot })));
  writeFileSync(nodeStatePaths.kubeProxyConfig, dump(kubeProxyConfiguration(nodeName)));
}

function containerdConfig(sandboxImage: string): string {
  // restrict_oom_score_adj: these machines lack CAP_SYS_RESOURCE, and runc fails ("can't get
  // final child's PID from pipe") when asked for a negative oom_score_adj. overlayfs works on the
  // tmpfs (the native snapshotter would copy every layer in full). The opt plugin would otherwise
  // create /opt/containerd on the machine's disk.
  return `version = 2
root = "${nodeStatePaths.containerdRoot}"
state = "${nodeStatePaths.containerdState}"
disabled_plugins = ["io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.aufs"]

[grpc]
  address = "${nodeStatePaths.containerdSocket}"

[plugins."io.containerd.internal.v1.opt"]
  path = "${nodeStatePaths.containerdOpt}"

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${sandboxImage}"
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${nodeStatePaths.cniConfDir}"
`;
}

function cniConfList() {
  return {
    cniVersion: '1.0.0',
    name: 'astromesh-node',
    plugins: [
      {
        type: 'bridge',
        bridge: 'cni0',
        isGateway: true,
        // Pods reach addresses outside the pod range (the node's, tests' fakes) from the node's IP.
        ipMasq: true,
        // A pod reaching its own Service VIP comes back through the bridge to itself.
        hairpinMode: true,
        ipam: {
          type: 'host-local',
          ranges: [[{ subnet: nodeLayout.podCidr }]],
          routes: [{ dst: '0.0.0.0/0' }],
          dataDir: nodeStatePaths.cniIpamDir,
        },
      },
      { type: 'portmap', capabilities: { portMappings: true } },
    ],
  };
}

function kubeletConfiguration(params: { pki: NodePki; cgroupRoot: string }) {
  const { pki, cgroupRoot } = params;
  return {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    // kube-apiserver shows its kubelet-client certificate for exec/logs/port-forward; anything
    // else asks the API server (webhook) whether it may.
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: pki.caCertificate },
    },
    authorization: { mode: 'Webhook' },
    containerRuntimeEndpoint: `unix://${nodeStatePaths.containerdSocket}`,
    cgroupDriver: 'cgroupfs',
    // Below a per-run cgroup, so a run's pods can be found (and removed) by name.
    cgroupRoot: `/${cgroupRoot}`,
    // These machines mount cgroup v1 (with v2 beside it); the kubelet still supports it.
    failCgroupV1: false,
    clusterDNS: [nodeLayout.clusterDnsIp],
    clusterDomain: nodeLayout.clusterDomain,
    resolvConf: nodeStatePaths.resolvConf,
    failSwapOn: false,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: nodeLayout.kubeletHealthzPort,
    // Images come from archives the tests import: nothing could pull an image back once collected.
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    // A test machine's disk or memory filling up must fail the test that did it, not evict
    // pods at random: eviction is off (a 0% threshold disables a signal).
    evictionHard: {
      'memory.available': '0%',
      'nodefs.available': '0%',
      'imagefs.available': '0%',
      'nodefs.inodesFree': '0%',
    },
    serializeImagePulls: false,
    rotateCertificates: false,
    serverTLSBootstrap: false,
    // Status reported fast, so a test waiting on a pod's phase waits less.
    nodeStatusUpdateFrequency: '4s',
    syncFrequency: '10s',
    fileCheckFrequency: '10s',
    maxPods: 110,
  };
}

function kubeProxyConfiguration(nodeName: string) {
  return {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    clientConnection: { kubeconfig: componentKubeconfigPath('kube-proxy') },
    mode: 'iptables',
    hostnameOverride: nodeName,
    clusterCIDR: nodeLayout.podCidr,
    bindAddress: nodeLayout.nodeIp,
    healthzBindAddress: `127.0.0.1:${nodeLayout.kubeProxyHealthzPort}`,
    metricsBindAddress: '127.0.0.1:10249',
    // Zero leaves the kernel's conntrack settings alone: in a network namespace most of them
    // are read-only, and kube-proxy would fail trying.
    conntrack: {
      maxPerCore: 0,
      min: 0,
      tcpEstablishedTimeout: '0s',
      tcpCloseWaitTimeout: '0s',
    },
    iptables: { syncPeriod: '10s', minSyncPeriod: '0s' },
  };
}

function kubeconfig(params: { caCertificate: Buffer; user: Record<string, string> }): string {
  return dump({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'astromesh-node',
        cluster: { server: apiserverUrl, 'certificate-authority-data': params.caCertificate.toString('base64') },
      },
    ],
    users: [{ name: 'node-component', user: params.user }],
    contexts: [{ name: 'astromesh-node', context: { cluster: 'astromesh-node', user: 'node-component' } }],
    'current-context': 'astromesh-node',
  });
}

import { execFileSync } from 'node:child_process';
import { mkdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { nodeLayout, nodeStatePaths } from './node-layout.ts';

/**
 * Refuses to go on unless this process is in PID, network and mount namespaces other than the
 * test process's. Everything below (tmpfs over /run, a dummy interface, killing every process
 * at teardown) is only harmless there: on the machine itself it would wreck it.
 */
export function assertInsideNodeNamespaces(host: { pid: string; net: string; mnt: string }): void {
  for (const kind of ['pid', 'net', 'mnt'] as const) {
    const own = readlinkSync(`/proc/self/ns/${kind}`);
    if (own === host[kind]) {
      throw new Error(`the node supervisor runs in the test process's own ${kind} namespace (${own}); refusing`);
    }
  }
  // Its parent must be the namespace's init, our pause. Not a bound on its own PID: pause is a Go
  // program, whose threads take PIDs in the namespace first, and more of them on more CPUs (one CI
  // machine gave the supervisor pid 11).
  const init = basename(readlinkSync('/proc/1/exe'));
  if (process.ppid !== 1 || init !== 'pause') {
    throw new Error(
      `the node supervisor's parent is pid ${process.ppid} and the pid namespace's init is ${init}, not a fresh namespace under pause; refusing`,
    );
  }
}

/**
 * Puts tmpfs over the paths the node's programs write to, in the node's private mount namespace:
 * /run (containerd's shim sockets and pods' network namespaces are fixed below it), /var/lib
 * (the CNI library's cache is fixed at /var/lib/cni) and /var/log (the kubelet's pod logs are
 * fixed at /var/log/pods). The machine's own /run, /var/lib and /var/log are untouched, and
 * all of it disappears with the namespace.
 */
export function mountNodeFilesystems(): void {
  for (const path of ['/run', '/var/lib', '/var/log']) {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'mode=755', `astromesh-node${path.replaceAll('/', '-')}`, path]);
  }
  for (const dir of [
    nodeLayout.stateDir,
    nodeStatePaths.pki,
    nodeStatePaths.etcdData,
    nodeStatePaths.cniConfDir,
    nodeStatePaths.cniIpamDir,
    nodeStatePaths.kubeletRoot,
    nodeStatePaths.home,
    nodeStatePaths.manifests,
  ]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
}

/**
 * The node's network, all inside its own namespace: loopback, an interface holding the node
 * IP (and any extra addresses tests ask for), forwarding and bridge netfilter for pods and
 * kube-proxy, and a route for the Service range so that connections the node itself makes to a
 * ClusterIP are routed, then rewritten by kube-proxy's rules. There is no default route: nothing
 * leaves the namespace.
 */
export function setUpNodeNetwork(extraAddresses: string[]): void {
  const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  ip('link', 'set', 'lo', 'up');
  // A bridge with no ports stands in for a dummy interface (these kernels lack the dummy
  // driver): an address holder that is up, where nothing sent ever arrives anywhere.
  ip('link', 'add', 'node0', 'type', 'bridge');
  ip('link', 'set', 'node0', 'up');
  for (const address of [nodeLayout.nodeIp, ...extraAddresses]) {
    ip('addr', 'add', `${address}/32`, 'dev', 'node0');
  }
  ip('route', 'add', nodeLayout.serviceCidr, 'dev', 'node0');
  writeFileSync('/proc/sys/net/ipv4/ip_forward', '1');
  writeFileSync('/proc/sys/net/bridge/bridge-nf-call-iptables', '1');
}

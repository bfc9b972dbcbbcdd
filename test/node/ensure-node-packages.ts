import { type DebianProgram, ensureDebianPrograms } from '../support/ensure-debian-programs.ts';

/** Each program the real node runs or calls, and the Debian package it comes from. */
const requiredPrograms: DebianProgram[] = [
  { program: 'containerd', debianPackage: 'containerd' },
  { program: 'ctr', debianPackage: 'containerd' },
  { program: 'containerd-shim-runc-v2', debianPackage: 'containerd' },
  { program: 'runc', debianPackage: 'runc' },
  { program: '/usr/lib/cni/bridge', debianPackage: 'containernetworking-plugins' },
  { program: '/usr/lib/cni/host-local', debianPackage: 'containernetworking-plugins' },
  { program: '/usr/lib/cni/loopback', debianPackage: 'containernetworking-plugins' },
  { program: '/usr/lib/cni/portmap', debianPackage: 'containernetworking-plugins' },
  { program: 'iptables', debianPackage: 'iptables' },
  { program: 'ipset', debianPackage: 'ipset' },
  { program: 'conntrack', debianPackage: 'conntrack' },
  { program: 'ip', debianPackage: 'iproute2' },
  { program: 'unshare', debianPackage: 'util-linux' },
  { program: 'nsenter', debianPackage: 'util-linux' },
  { program: 'setpriv', debianPackage: 'util-linux' },
  { program: 'mount', debianPackage: 'mount' },
  { program: 'openssl', debianPackage: 'openssl' },
  { program: 'tar', debianPackage: 'tar' },
];

/**
 * Makes sure the machine has what the real node needs: root, and the Debian packages of
 * containerd, runc, the CNI plugins and the netfilter tools. Missing packages are installed with
 * apt-get (output shown, as a CI log needs); if that is impossible the error names each one.
 */
export function ensureNodePackages(log: (line: string) => void): void {
  if (process.getuid?.() !== 0) {
    throw new Error('the real test node needs root: it creates namespaces, mounts, cgroups and a containerd');
  }
  ensureDebianPrograms(requiredPrograms, 'the real test node and its suites', log);
}

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Each program the real node runs or calls, and the Debian package it comes from. */
const requiredPrograms: { program: string; debianPackage: string }[] = [
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

const searchPath = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/**
 * Makes sure the machine has what the real node needs: root, and the Debian packages of
 * containerd, runc, the CNI plugins and the netfilter tools. Missing packages are installed with
 * apt-get (output shown, as a CI log needs); if that is impossible the error names each one.
 */
export function ensureNodePackages(log: (line: string) => void): void {
  if (process.getuid?.() !== 0) {
    throw new Error('the real test node needs root: it creates namespaces, mounts, cgroups and a containerd');
  }
  const missing = missingPackages();
  if (missing.length === 0) return;
  log(`installing ${missing.join(', ')} with apt-get (the real node needs them)`);
  const aptGet = (args: string[]) =>
    spawnSync('apt-get', args, {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  let install = aptGet(['install', '-y', '--no-install-recommends', ...missing]);
  if (install.status !== 0) {
    // A new machine may have stale package lists.
    log('apt-get install failed; running apt-get update and trying once more');
    aptGet(['update']);
    install = aptGet(['install', '-y', '--no-install-recommends', ...missing]);
  }
  const stillMissing = missingPackages();
  if (install.status !== 0 || stillMissing.length > 0) {
    throw new Error(
      `the real test node needs these Debian packages, and apt-get could not install them (exit ${install.status}${install.error ? `, ${install.error.message}` : ''}): ${stillMissing.join(' ')}. Install them: apt-get install ${stillMissing.join(' ')}`,
    );
  }
}

function missingPackages(): string[] {
  const missing = requiredPrograms.filter(({ program }) =>
    program.startsWith('/') ? !existsSync(program) : !searchPath.some((dir) => existsSync(join(dir, program))),
  );
  return [...new Set(missing.map(({ debianPackage }) => debianPackage))];
}

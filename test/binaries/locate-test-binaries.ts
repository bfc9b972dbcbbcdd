import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

// Helm is installed with `go install helm@version` on its own (not through the wrapper module),
// so its dependencies never shift the versions kube-apiserver is built with.
export const helmVersion = 'v3.22.0';

// kube-router, the real node's NetworkPolicy engine (its firewall only), is installed the same
// way. v2.1.0 is the newest release the module proxy serves here (v2.1.1 and later answer 403).
export const kubeRouterVersion = 'v2.1.0';

// gVisor publishes a Go-buildable tree (generated files included, no Bazel) on its `go` branch,
// which has no tags: this pseudo-version is a commit of that branch.
export const gvisorVersion = 'v0.0.0-20260905035102-160fafc42237';

export interface TestBinaries {
  kubernetesVersion: string;
  etcdVersion: string;
  kubeDir: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubectl: string;
  etcd: string;
  /** The real node's programs (test/node/): pods on containerd, Service VIPs, scheduling. */
  kubelet: string;
  kubeScheduler: string;
  kubeProxy: string;
  helmDir: string;
  helm: string;
  /** Cluster DNS: CoreDNS with a cluster DNS's plugins only, from the module in coredns/. */
  corednsVersion: string;
  corednsDir: string;
  coredns: string;
  kubeRouterDir: string;
  kubeRouter: string;
  gvisorDir: string;
  /** gVisor's runtime and its containerd shim; both set, or neither and the reason is. */
  runsc?: string;
  containerdShimRunsc?: string;
  /** Why gVisor cannot be used here: the build's or the smoke run's error, as recorded. */
  gvisorUnavailableReason?: string;
}

/**
 * Where the test control plane's binaries live. Versions come from the committed go.mod files
 * and the constants above, so bumping one is a change here or in a go.mod and a new cache folder,
 * never a stale binary.
 */
export function locateTestBinaries(env: NodeJS.ProcessEnv = process.env): TestBinaries {
  const goMod = readFileSync(join(import.meta.dirname, 'go.mod'), 'utf8');
  const kubernetesVersion = requiredVersion(goMod, 'k8s.io/kubernetes', 'go.mod');
  const etcdVersion = requiredVersion(goMod, 'go.etcd.io/etcd/server/v3', 'go.mod');
  const corednsGoMod = readFileSync(join(import.meta.dirname, 'coredns', 'go.mod'), 'utf8');
  const corednsVersion = requiredVersion(corednsGoMod, 'github.com/coredns/coredns', 'coredns/go.mod');
  const root = cacheRoot(env);
  const kubeDir = join(root, 'k8s', `${kubernetesVersion}-etcd-${etcdVersion}`);
  const helmDir = join(root, 'helm', helmVersion);
  const corednsDir = join(root, 'coredns', corednsVersion);
  const kubeRouterDir = join(root, 'kube-router', kubeRouterVersion);
  const gvisorDir = join(root, 'gvisor', gvisorVersion);
  return {
    kubernetesVersion,
    etcdVersion,
    kubeDir,
    kubeApiserver: join(kubeDir, 'kube-apiserver'),
    kubeControllerManager: join(kubeDir, 'kube-controller-manager'),
    kubectl: join(kubeDir, 'kubectl'),
    etcd: join(kubeDir, 'etcd'),
    kubelet: join(kubeDir, 'kubelet'),
    kubeScheduler: join(kubeDir, 'kube-scheduler'),
    kubeProxy: join(kubeDir, 'kube-proxy'),
    helmDir,
    helm: join(helmDir, 'helm'),
    corednsVersion,
    corednsDir,
    coredns: join(corednsDir, 'coredns'),
    kubeRouterDir,
    kubeRouter: join(kubeRouterDir, 'kube-router'),
    gvisorDir,
    ...locateGvisor(gvisorDir),
  };
}

/** Set to 1 to have `npm run test:binaries` build gVisor (runsc and its containerd shim). */
export const buildGvisorVariable = 'ASTROMESH_BUILD_GVISOR';

/** The file the builder writes, in place of the binaries, when gVisor cannot build or run here. */
export function gvisorUnavailableFile(gvisorDir: string): string {
  return `${gvisorDir}.unavailable`;
}

function locateGvisor(
  gvisorDir: string,
): Pick<TestBinaries, 'runsc' | 'containerdShimRunsc' | 'gvisorUnavailableReason'> {
  // runsc's sandbox needs root here (the node runs it with --rootless=false), as does the node.
  const uid = process.getuid?.();
  if (uid !== 0) return { gvisorUnavailableReason: `gVisor runs only as root; this process is uid ${uid}` };
  const unavailable = gvisorUnavailableFile(gvisorDir);
  if (existsSync(unavailable)) return { gvisorUnavailableReason: readFileSync(unavailable, 'utf8').trim() };
  if (!existsSync(gvisorDir)) {
    // Not built unless asked for: on these machines it could not serve a pod anyway (below).
    return {
      gvisorUnavailableReason:
        process.env[buildGvisorVariable] === '1'
          ? `gVisor ${gvisorVersion} is not built yet: run npm run test:binaries`
          : `gVisor is not built by default (${buildGvisorVariable}=1 builds it, about 4 min cold): ${shimRefusedBy('1.6.20')}`,
    };
  }
  const containerd = containerdVersion();
  if (containerd?.startsWith('1.6.')) return { gvisorUnavailableReason: shimRefusedBy(containerd) };
  return { runsc: join(gvisorDir, 'runsc'), containerdShimRunsc: join(gvisorDir, 'containerd-shim-runsc-v1') };
}

// Both errors were seen with Debian's containerd 1.6.20 (a private instance, `ctr run --runtime
// io.containerd.runsc.v1`); the second with the first patched out of the shim. runsc alone runs.
function shimRefusedBy(containerd: string): string {
  return (
    `gVisor's containerd shim (${gvisorVersion}) cannot run under containerd ${containerd}: it answers \`start\` ` +
    `with the JSON bootstrap reply of newer containerd, which ${containerd} takes for a socket address ` +
    `("failed to start shim: start failed: dial unix  {"version":2,"address":"unix:///run/containerd/s/…","protocol":"ttrpc"}: connect: invalid argument"), ` +
    'and before that it sets its own oom_score_adj to -999, which needs CAP_SYS_RESOURCE, missing on these machines ' +
    '("failed to set OOM Score on shim: write /proc/<pid>/oom_score_adj: permission denied"). runsc itself runs here (systrap).'
  );
}

let knownContainerdVersion: string | undefined;

/** The version of the containerd on PATH, the one the real node starts; undefined when there is none yet. */
function containerdVersion(): string | undefined {
  if (knownContainerdVersion) return knownContainerdVersion;
  try {
    const output = execFileSync('containerd', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    knownContainerdVersion = /\sv?(\d+\.\d+\.\d+)/.exec(output)?.[1];
  } catch {
    // Not installed yet: the real node installs it before it starts, and asks again.
  }
  return knownContainerdVersion;
}

export function cacheRoot(env: NodeJS.ProcessEnv): string {
  if (env.ASTROMESH_CACHE_DIR) return env.ASTROMESH_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'astromesh-cloud');
}

function requiredVersion(goMod: string, modulePath: string, file: string): string {
  const escaped = modulePath.replaceAll('.', '\\.').replaceAll('/', '\\/');
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, 'm').exec(goMod);
  if (!match?.[1]) throw new Error(`test/binaries/${file} does not require ${modulePath}`);
  return match[1];
}

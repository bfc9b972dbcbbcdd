import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

// Helm is installed with `go install helm@version` on its own (not through the wrapper module),
// so its dependencies never shift the versions kube-apiserver is built with.
export const helmVersion = 'v3.22.0';

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
}

/**
 * Where the test control plane's binaries live. Versions come from the committed wrapper
 * go.mod, so bumping Kubernetes is a go.mod change and a new cache folder, never a stale binary.
 */
export function locateTestBinaries(env: NodeJS.ProcessEnv = process.env): TestBinaries {
  const goMod = readFileSync(join(import.meta.dirname, 'go.mod'), 'utf8');
  const kubernetesVersion = requiredVersion(goMod, 'k8s.io/kubernetes');
  const etcdVersion = requiredVersion(goMod, 'go.etcd.io/etcd/server/v3');
  const root = cacheRoot(env);
  const kubeDir = join(root, 'k8s', `${kubernetesVersion}-etcd-${etcdVersion}`);
  const helmDir = join(root, 'helm', helmVersion);
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
  };
}

export function cacheRoot(env: NodeJS.ProcessEnv): string {
  if (env.ASTROMESH_CACHE_DIR) return env.ASTROMESH_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'astromesh-cloud');
}

function requiredVersion(goMod: string, modulePath: string): string {
  const escaped = modulePath.replaceAll('.', '\\.').replaceAll('/', '\\/');
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, 'm').exec(goMod);
  if (!match?.[1]) throw new Error(`test/binaries/go.mod does not require ${modulePath}`);
  return match[1];
}

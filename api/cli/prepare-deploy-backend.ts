import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { DeployBackend } from '../backends/deploy-backend.ts';
import { createLocalBackend } from '../backends/local/create-local-backend.ts';
import { type ApiConfig, ConfigError } from '../config/api-config.ts';

export type DeployBackendFactory = (deps: { databaseUrl: string; log: Logger }) => DeployBackend;

/**
 * The deploy backend the configuration names (ASTROMESH_BACKEND), in two steps: what can be
 * wrong with its configuration (an unreadable kubeconfig) fails here, before anything starts;
 * the backend itself is made once the database is up. The Kubernetes client (some 90 MiB of
 * heap and code) is loaded only by the kubernetes backend, never by a local API (issue 13).
 */
export async function prepareDeployBackend(config: ApiConfig): Promise<DeployBackendFactory> {
  if (config.backend === 'local') {
    return ({ databaseUrl, log }) => createLocalBackend({ stateDir: config.stateDir, memoryUrl: databaseUrl, log });
  }
  const [{ loadKubeConfig }, { createKubernetesBackend }] = await Promise.all([
    import('../backends/kubernetes/load-kube-config.ts'),
    import('../backends/kubernetes/create-kubernetes-backend.ts'),
  ]);
  const { kubernetes } = config;
  let kubeConfig: KubeConfig;
  try {
    kubeConfig = loadKubeConfig({ kubeconfigPath: kubernetes.kubeconfigPath });
  } catch (err) {
    throw new ConfigError(`ASTROMESH_KUBECONFIG: cannot load a kubeconfig (${(err as Error).message})`);
  }
  return ({ log }) =>
    createKubernetesBackend({
      kubeConfig,
      log,
      deployTimeoutMs: kubernetes.deployTimeoutSeconds * 1000,
      runtimeEndpoints:
        kubernetes.runtimeEndpoints === 'service-dns'
          ? { kind: 'service-dns', clusterDomain: kubernetes.clusterDomain }
          : { kind: 'endpoint-slices' },
      memory: kubernetes.memoryAdminUrl
        ? { adminUrl: kubernetes.memoryAdminUrl, masterKey: config.masterKeys.current.key }
        : undefined,
    });
}

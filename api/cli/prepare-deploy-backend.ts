import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { DeployBackend } from '../backends/deploy-backend.ts';
import { createKubernetesBackend } from '../backends/kubernetes/create-kubernetes-backend.ts';
import { loadKubeConfig } from '../backends/kubernetes/load-kube-config.ts';
import { createLocalBackend } from '../backends/local/create-local-backend.ts';
import { type ApiConfig, ConfigError } from '../config/api-config.ts';

export type DeployBackendFactory = (deps: { databaseUrl: string; log: Logger }) => DeployBackend;

/**
 * The deploy backend the configuration names (ASTROMESH_BACKEND), in two steps: what can be
 * wrong with its configuration (an unreadable kubeconfig) fails here, before anything starts;
 * the backend itself is made once the database is up.
 */
export function prepareDeployBackend(config: ApiConfig): DeployBackendFactory {
  if (config.backend === 'local') {
    return ({ databaseUrl, log }) => createLocalBackend({ stateDir: config.stateDir, memoryUrl: databaseUrl, log });
  }
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

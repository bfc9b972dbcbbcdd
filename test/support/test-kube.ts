import { randomBytes } from 'node:crypto';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { inject } from 'vitest';

/** A client config for the run's kube-apiserver: as a cluster admin, or as the holder of `token`. */
export function testKubeConfig(options: { token?: string } = {}): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(inject('kubeconfigPath'));
  const cluster = kubeConfig.getCurrentCluster();
  if (options.token === undefined || !cluster) return kubeConfig;
  const asTokenHolder = new KubeConfig();
  asTokenHolder.loadFromClusterAndUser(cluster, { name: 'token-holder', token: options.token });
  return asTokenHolder;
}

/**
 * Creates a namespace no other test uses. Nothing deletes it: with no controller-manager
 * running, a deleted namespace would stay Terminating, and the server is gone after the run.
 */
export async function createTestNamespace(kubeConfig: KubeConfig, prefix = 'test'): Promise<string> {
  const name = `${prefix}-${randomBytes(4).toString('hex')}`;
  await kubeConfig.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  return name;
}

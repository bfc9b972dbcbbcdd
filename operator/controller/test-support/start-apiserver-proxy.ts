import { KubeConfig } from '@kubernetes/client-node';
import { type PausableTcpProxy, startPausableTcpProxy } from '../../../test/support/pausable-tcp-proxy.ts';

/**
 * A pausable proxy in front of the API server `kubeConfig` points at, and a copy of that config
 * that goes through it. The API server's certificate names 127.0.0.1, which is where the proxy
 * listens, so TLS is verified end to end as usual.
 */
export async function startApiserverProxy(
  kubeConfig: KubeConfig,
): Promise<{ proxy: PausableTcpProxy; kubeConfig: KubeConfig }> {
  const cluster = kubeConfig.getCurrentCluster();
  const user = kubeConfig.getCurrentUser();
  if (!cluster || !user) throw new Error('the kubeconfig has no current cluster or user');
  const server = new URL(cluster.server);
  const proxy = await startPausableTcpProxy({ host: server.hostname, port: Number(server.port || 443) });
  const throughProxy = new KubeConfig();
  throughProxy.loadFromClusterAndUser({ ...cluster, server: `https://127.0.0.1:${proxy.port}` }, user);
  return { proxy, kubeConfig: throughProxy };
}

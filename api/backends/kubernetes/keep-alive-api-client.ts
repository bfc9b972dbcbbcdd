import {
  type Configuration,
  createConfiguration,
  type KubeConfig,
  type RequestContext,
  ServerConfiguration,
} from '@kubernetes/client-node';

type Dispatcher = NonNullable<ReturnType<RequestContext['getDispatcher']>>;

/**
 * `kubeConfig.makeApiClient`, but with one connection pool for the client's life. client-node
 * gives every request a pool of its own: a TLS handshake per call, and an idle socket left
 * behind each time (the backend polls CloudAgents every 250 ms during a deploy). The credentials
 * still come from the kubeconfig on every request (a rotated token is picked up); only the
 * TLS settings of the first pool, the same for every request of a kubeconfig, are kept.
 */
export function makeKeepAliveApiClient<T>(
  kubeConfig: KubeConfig,
  apiClientType: new (configuration: Configuration) => T,
): T {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  let shared: Dispatcher | undefined;
  const authentication = {
    getName: () => 'kubeconfig-keep-alive',
    async applySecurityAuthentication(context: RequestContext): Promise<void> {
      await kubeConfig.applySecurityAuthentication(context);
      const created = context.getDispatcher();
      if (!shared) {
        shared = created;
        return;
      }
      context.setDispatcher(shared);
      // Never connected: closing it costs nothing and leaves nothing open.
      await created?.close().catch(() => undefined);
    },
  };
  return new apiClientType(
    createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: authentication },
    }),
  );
}

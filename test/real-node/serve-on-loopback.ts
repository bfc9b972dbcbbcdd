import { connect, createServer, type Socket } from 'node:net';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { release } from './install-astromesh.ts';

const addressTtlMs = 5_000;

/**
 * Serves the installed Cloud API on 127.0.0.1:`port` (0: a free one) in this process: each
 * connection goes through the node's relay to the API Service's ClusterIP, looked up again every
 * few seconds, so the URL keeps working across `helm uninstall` + `helm install` (a new Service,
 * a new ClusterIP) as it would behind a load balancer.
 */
export async function serveOnLoopback(
  node: { runDir: string; kubeconfigPath: string },
  port: number,
): Promise<{ url: string; close(): Promise<void> }> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(node.kubeconfigPath);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  let cached: { ip: string; port: number; at: number } | undefined;
  const serviceAddress = async () => {
    if (cached && Date.now() - cached.at < addressTtlMs) return cached;
    const service = await core.readNamespacedService({ namespace: release.namespace, name: release.apiService });
    const ip = service.spec?.clusterIP;
    const servicePort = service.spec?.ports?.[0]?.port;
    if (!ip || !servicePort) throw new Error(`Service ${release.apiService} has no ClusterIP or port`);
    cached = { ip, port: servicePort, at: Date.now() };
    return cached;
  };

  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (client) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    client.once('error', () => client.destroy());
    client.pause();
    serviceAddress().then(
      (target) => {
        const relay = connect({ path: join(node.runDir, 'relay.sock'), allowHalfOpen: true });
        sockets.add(relay);
        relay.once('close', () => {
          sockets.delete(relay);
          client.destroy();
        });
        relay.once('error', () => client.destroy());
        client.once('close', () => relay.destroy());
        relay.write(`${target.ip}:${target.port}\n`);
        client.pipe(relay);
        relay.pipe(client);
        client.resume();
      },
      () => {
        cached = undefined;
        client.destroy();
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the API listener has no TCP address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

import { CoreV1Api } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { startApiserverProxy } from '../../../operator/controller/test-support/start-apiserver-proxy.ts';
import { testKubeConfig } from '../../../test/support/test-kube.ts';
import { makeKeepAliveApiClient } from './keep-alive-api-client.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Five calls through a proxy that counts the connections they open. */
async function connectionsForFiveCalls(makeClient: (kubeConfig: ReturnType<typeof testKubeConfig>) => CoreV1Api) {
  const { proxy, kubeConfig } = await startApiserverProxy(testKubeConfig());
  cleanups.push(() => proxy.close());
  const core = makeClient(kubeConfig);
  for (let call = 0; call < 5; call++) await core.listNamespace({ limit: 1 });
  return proxy.openConnections;
}

describe('makeKeepAliveApiClient', () => {
  it('serves every call of a client over one connection, where client-node opens one per call', async () => {
    expect(await connectionsForFiveCalls((kubeConfig) => makeKeepAliveApiClient(kubeConfig, CoreV1Api))).toBe(1);
    // The reason for this file: client-node's own client leaves a connection behind per call.
    expect(await connectionsForFiveCalls((kubeConfig) => kubeConfig.makeApiClient(CoreV1Api))).toBe(5);
  });
});

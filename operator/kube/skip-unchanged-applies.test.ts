import type { KubernetesObject, V1ConfigMap } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestNamespace, testKubeConfig } from '../../test/support/test-kube.ts';
import { createKubeClient, type KubeClient } from './kube-client.ts';
import { pathOf } from './object-path.ts';
import { skipUnchangedApplies } from './skip-unchanged-applies.ts';

describe('skipUnchangedApplies, on a real API server', () => {
  let kube: KubeClient;
  let namespace: string;
  beforeAll(async () => {
    kube = createKubeClient(testKubeConfig());
    namespace = await createTestNamespace(testKubeConfig(), 'skip-applies');
  });
  afterAll(() => kube.close());

  /** The client under test over the real one, counting the applies that reach the server. */
  function aSkippingClient() {
    const sent: string[] = [];
    // Stands in for the informer: the resourceVersion of each ConfigMap as last seen.
    const cache = new Map<string, string>();
    const skipping = skipUnchangedApplies({
      kube: {
        ...kube,
        apply: (input) => {
          sent.push(input.path);
          return kube.apply(input);
        },
      },
      cachedVersionOf: (object: KubernetesObject) => (object.kind === 'ConfigMap' ? cache.get(pathOf(object)) : null),
    });
    const see = async (object: KubernetesObject) => {
      const live = await kube.call<KubernetesObject>({ method: 'GET', path: pathOf(object) });
      cache.set(pathOf(object), live.metadata?.resourceVersion ?? '');
    };
    return { kube: skipping.kube, forget: skipping.forget, remembered: () => skipping.remembered, sent, see };
  }

  const aConfigMap = (name: string, data: Record<string, string>): V1ConfigMap => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace },
    data,
  });
  const apply = (client: KubeClient, object: V1ConfigMap) =>
    client.apply({ path: pathOf(object), object, fieldManager: 'skip-test' });

  it('sends an apply again only when the object or the live one changed, or after forget', async () => {
    const client = aSkippingClient();
    const desired = aConfigMap('settled', { a: '1' });
    const first = await apply(client.kube, desired);
    await client.see(desired);

    const second = await apply(client.kube, desired);
    expect(client.sent).toHaveLength(1);
    expect(second.data).toEqual({ a: '1' });
    expect(second.metadata?.resourceVersion).toBe(first.metadata?.resourceVersion);

    // Someone else edits it: the cache moves on, and the apply heals it.
    await kube.mergePatch(pathOf(desired), { data: { a: 'by hand' } });
    await client.see(desired);
    expect((await apply(client.kube, desired)).data).toEqual({ a: '1' });
    expect(client.sent).toHaveLength(2);

    await client.see(desired);
    await apply(client.kube, aConfigMap('settled', { a: '2' }));
    expect(client.sent).toHaveLength(3);

    client.forget(desired);
    await client.see(desired);
    await apply(client.kube, aConfigMap('settled', { a: '2' }));
    expect(client.sent).toHaveLength(4);
  });

  it('sends every apply while the cache has not seen the object, and of kinds it does not cache', async () => {
    const client = aSkippingClient();
    const desired = aConfigMap('unseen', { a: '1' });
    await apply(client.kube, desired);
    await apply(client.kube, desired);
    expect(client.sent).toHaveLength(2);

    const lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name: 'uncached', namespace },
      spec: {},
    };
    await client.kube.apply({ path: pathOf(lease), object: lease, fieldManager: 'skip-test' });
    await client.kube.apply({ path: pathOf(lease), object: lease, fieldManager: 'skip-test' });
    expect(client.sent).toHaveLength(4);
    expect(client.remembered()).toBe(1);
  });
});

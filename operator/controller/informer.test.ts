import { randomBytes } from 'node:crypto';
import { CoreV1Api, type KubeConfig, type V1ConfigMap, type V1Namespace } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/eventually.ts';
import { createTestNamespace, testKubeConfig } from '../../test/support/test-kube.ts';
import { type Informer, type InformerEventType, type InformerOptions, startInformer } from './informer.ts';
import { aCapturingLogger } from './test-support/capturing-logger.ts';
import { startApiserverProxy } from './test-support/start-apiserver-proxy.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function watchConfigMaps(options: { kubeConfig: KubeConfig; namespace: string; options?: InformerOptions }) {
  const events: Array<{ type: InformerEventType; name: string; data?: Record<string, string> }> = [];
  const logger = aCapturingLogger();
  const informer: Informer<V1ConfigMap> = startInformer<V1ConfigMap>({
    kubeConfig: options.kubeConfig,
    apiVersion: 'v1',
    kind: 'ConfigMap',
    namespace: options.namespace,
    onEvent: (type, object) => events.push({ type, name: object.metadata?.name ?? '', data: object.data }),
    log: logger.log,
    options: options.options,
  });
  cleanups.push(() => informer.stop());
  const eventsOf = (name: string) => events.filter((event) => event.name === name).map((event) => event.type);
  return { informer, events, eventsOf, logMessages: logger.messages };
}

async function aNamespaceWithConfigMaps(names: string[]) {
  const kubeConfig = testKubeConfig();
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const namespace = await createTestNamespace(kubeConfig, 'informer');
  const create = (name: string, data: Record<string, string> = {}) =>
    core.createNamespacedConfigMap({ namespace, body: { metadata: { name }, data } });
  for (const name of names) await create(name);
  return { kubeConfig, core, namespace, create };
}

/**
 * Returns once the informer's watch (then the only connection it keeps open) has delivered an
 * event: after the first list, a new object can only arrive through the watch.
 */
async function watchIsLive(
  informer: Informer<V1ConfigMap>,
  admin: { create: (name: string) => Promise<unknown> },
  eventsOf: (name: string) => InformerEventType[],
): Promise<void> {
  await informer.synced;
  await admin.create('probe');
  await eventually(() => expect(eventsOf('probe')).toEqual(['added']));
}

describe('startInformer', () => {
  it('delivers the objects that exist, page by page, as added before it reports synced', async () => {
    const { kubeConfig, namespace } = await aNamespaceWithConfigMaps(['a', 'b', 'c', 'd', 'e']);

    const { informer, events } = watchConfigMaps({ kubeConfig, namespace, options: { pageSize: 2 } });
    await informer.synced;

    expect(informer.hasSynced()).toBe(true);
    expect(events.map((e) => [e.type, e.name]).sort()).toEqual(
      ['a', 'b', 'c', 'd', 'e'].map((name) => ['added', name]),
    );
    expect(informer.get(namespace, 'c')).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
    expect(informer.list(namespace)).toHaveLength(5);
  });

  it('caches and hands on objects as the transform returns them, listed or watched', async () => {
    const { kubeConfig, namespace, create } = await aNamespaceWithConfigMaps(['listed']);
    const handed: V1ConfigMap[] = [];
    const informer = startInformer<V1ConfigMap>({
      kubeConfig,
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace,
      transform: (object) => ({ ...object, metadata: { ...object.metadata, managedFields: undefined } }),
      onEvent: (_type, object) => handed.push(object),
      log: aCapturingLogger().log,
    });
    cleanups.push(() => informer.stop());
    await informer.synced;
    await create('watched');
    await eventually(() => expect(informer.get(namespace, 'watched')).toBeDefined());

    for (const name of ['listed', 'watched']) {
      expect(informer.get(namespace, name)?.metadata?.managedFields).toBeUndefined();
    }
    expect(handed.map((object) => object.metadata?.managedFields)).toEqual([undefined, undefined]);
  });

  it('reports objects added, modified and deleted after the first list, and keeps its cache current', async () => {
    const { kubeConfig, core, namespace, create } = await aNamespaceWithConfigMaps([]);
    const { informer, eventsOf } = watchConfigMaps({ kubeConfig, namespace });
    await informer.synced;

    await create('settings', { model: 'gpt-4o' });
    await core.patchNamespacedConfigMap({
      namespace,
      name: 'settings',
      body: [{ op: 'replace', path: '/data/model', value: 'o3' }],
    });
    await eventually(() => expect(informer.get(namespace, 'settings')?.data).toEqual({ model: 'o3' }));
    await core.deleteNamespacedConfigMap({ namespace, name: 'settings' });

    await eventually(() => expect(eventsOf('settings')).toEqual(['added', 'modified', 'deleted']));
    expect(informer.get(namespace, 'settings')).toBeUndefined();
  });

  it('resumes after the server ends its watch without missing or repeating an event', async () => {
    const { kubeConfig, namespace, create } = await aNamespaceWithConfigMaps([]);
    const { informer, events, logMessages } = watchConfigMaps({
      kubeConfig,
      namespace,
      options: { watchTimeoutSeconds: 1 },
    });
    await informer.synced;
    const watchEnds = () => logMessages().filter((msg) => msg.startsWith('watch ended by the server')).length;

    // Keep writing until the server has ended the watch twice, so writes land before, between and after watches.
    const created: string[] = [];
    while (watchEnds() < 2) {
      const name = `cm-${created.length}`;
      await create(name);
      created.push(name);
    }

    await eventually(() => expect(events.map((e) => e.name).sort()).toEqual([...created].sort()));
    expect(events.every((e) => e.type === 'added')).toBe(true);
  });

  it('reports an object deleted while its watch was stuck, through the periodic relist', async () => {
    const admin = await aNamespaceWithConfigMaps(['kept', 'doomed']);
    const { proxy, kubeConfig } = await startApiserverProxy(admin.kubeConfig);
    cleanups.push(() => proxy.close());
    const { informer, eventsOf, logMessages } = watchConfigMaps({
      kubeConfig,
      namespace: admin.namespace,
      // The server would keep this watch for minutes: only the relist can notice the delete.
      options: { watchTimeoutSeconds: 600, relistIntervalMs: 1_500 },
    });
    await watchIsLive(informer, admin, eventsOf);

    proxy.freezeOpenConnections();
    await admin.core.deleteNamespacedConfigMap({ namespace: admin.namespace, name: 'doomed' });

    await eventually(() => expect(eventsOf('doomed')).toEqual(['added', 'deleted']));
    expect(eventsOf('kept')).toEqual(['added']);
    expect(informer.get(admin.namespace, 'doomed')).toBeUndefined();
    expect(logMessages()).not.toContain('watch silent past its timeout; starting a new one');
  });

  it('replaces a watch that stays silent past its timeout, and delivers what happened meanwhile', async () => {
    const admin = await aNamespaceWithConfigMaps([]);
    const { proxy, kubeConfig } = await startApiserverProxy(admin.kubeConfig);
    cleanups.push(() => proxy.close());
    const { informer, eventsOf, logMessages } = watchConfigMaps({
      kubeConfig,
      namespace: admin.namespace,
      options: { watchTimeoutSeconds: 2, watchdogGraceMs: 500 },
    });
    await watchIsLive(informer, admin, eventsOf);

    proxy.freezeOpenConnections();
    await admin.create('created-while-stuck');

    await eventually(() => expect(eventsOf('created-while-stuck')).toEqual(['added']), { timeoutMs: 15_000 });
    expect(logMessages()).toContain('watch silent past its timeout; starting a new one');
  });

  it('watches a cluster-scoped kind found through discovery, only the objects its label selector picks', async () => {
    const kubeConfig = testKubeConfig();
    const core = kubeConfig.makeApiClient(CoreV1Api);
    const run = randomBytes(4).toString('hex');
    const aNamespace = (name: string, labels: Record<string, string>) =>
      core.createNamespace({ body: { metadata: { name: `${name}-${run}`, labels } } });
    await aNamespace('org-before', { 'astromesh.io/test-run': run });
    const names: string[] = [];
    const informer = startInformer<V1Namespace>({
      kubeConfig,
      apiVersion: 'v1',
      kind: 'Namespace',
      labelSelector: `astromesh.io/test-run=${run}`,
      onEvent: (type, object) => names.push(`${type} ${object.metadata?.name}`),
      log: aCapturingLogger().log,
    });
    cleanups.push(() => informer.stop());
    await informer.synced;

    await aNamespace('org-after', { 'astromesh.io/test-run': run });
    await aNamespace('unrelated', {});
    await core.patchNamespace({
      name: `org-before-${run}`,
      body: [{ op: 'add', path: '/metadata/annotations', value: { touched: 'yes' } }],
    });

    await eventually(() =>
      expect(names).toEqual([`added org-before-${run}`, `added org-after-${run}`, `modified org-before-${run}`]),
    );
    expect(informer.get(undefined, `org-after-${run}`)?.metadata?.labels).toMatchObject({
      'astromesh.io/test-run': run,
    });
  });

  it('rejects synced and resolves stop when stopped before its first list', async () => {
    const kubeConfig = testKubeConfig();
    const informer = startInformer({
      kubeConfig,
      apiVersion: 'astromesh.io/v1alpha1',
      kind: 'NoSuchKind',
      onEvent: () => {},
      log: aCapturingLogger().log,
    });

    await informer.stop();

    await expect(informer.synced).rejects.toThrow(/stopped before its first list/);
    expect(informer.hasSynced()).toBe(false);
  });
});

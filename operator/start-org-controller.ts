import type { KubernetesObject, V1Namespace, V1Secret } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { cloudAgentGroup, cloudAgentKind, cloudAgentPlural, cloudAgentVersion } from '../crds/cloud-agent.ts';
import { orgLabel, orgSecretName } from '../crds/org-runtime-names.ts';
import type { OrgRuntimeSettings } from './config/org-runtime-settings.ts';
import { type Informer, type InformerOptions, startInformer } from './controller/informer.ts';
import { recordInBackground } from './controller/record-in-background.ts';
import { type ReconcileReport, runWorkers } from './controller/run-workers.ts';
import { createWorkQueue, type WorkQueue } from './controller/work-queue.ts';
import type { KubeAccess } from './kube/kube-access.ts';
import type { KubeClient } from './kube/kube-client.ts';
import { skipUnchangedApplies } from './kube/skip-unchanged-applies.ts';
import type { CloudAgent } from './reconcile/cloud-agent-status.ts';
import { managedBySelector } from './reconcile/org-labels.ts';
import { createOrgReconciler, type OrgView } from './reconcile/reconcile-org.ts';
import { createEventRecorder } from './reconcile/record-event.ts';

// What the operator writes into org namespaces: a change or a deletion by anyone else brings the
// namespace back to its reconcile (drift healing). Plurals given, so no discovery is needed.
const ownedKinds = [
  { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments' },
  { apiVersion: 'v1', kind: 'Service', plural: 'services' },
  { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps' },
  { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', plural: 'networkpolicies' },
  { apiVersion: 'v1', kind: 'ServiceAccount', plural: 'serviceaccounts' },
  { apiVersion: 'v1', kind: 'ResourceQuota', plural: 'resourcequotas' },
  { apiVersion: 'v1', kind: 'LimitRange', plural: 'limitranges' },
];

export interface OrgController {
  queue: WorkQueue;
  /** Whether every informer delivered its first list (the operator is then ready). */
  hasSynced(): boolean;
  /** Stops the workers (reconciles in flight finish) and then the informers. */
  stop(): Promise<void>;
}

/**
 * The operator's one controller: informers on CloudAgents, org namespaces, org Secrets and the
 * objects the operator owns all feed one queue keyed by namespace; workers reconcile one org
 * namespace at a time (DESIGN.md decision 4). Runs only while this replica leads.
 */
export function startOrgController(deps: {
  kubeConfig: KubeAccess;
  kube: KubeClient;
  settings: OrgRuntimeSettings;
  workers: number;
  resyncIntervalMs: number;
  identity: string;
  /**
   * A label selector that narrows the org namespaces this operator serves (several installs, or
   * shards, on one cluster). CloudAgents outside them are left alone, not marked Failed.
   */
  orgNamespaceSelector?: string;
  /** Where the image pull Secrets of `settings.imagePullSecrets` are (the operator's namespace). */
  pullSecretNamespace?: string;
  onResult: (report: ReconcileReport) => void;
  informerOptions?: InformerOptions;
  now?: () => Date;
  log: Logger;
}): OrgController {
  const now = deps.now ?? (() => new Date());
  const log = deps.log.child({ component: 'org-controller' });
  const queue = createWorkQueue();
  const selector = deps.orgNamespaceSelector;
  const enqueueNamespaceOf = (_type: string, object: KubernetesObject) => {
    const namespace = object.metadata?.namespace;
    if (!namespace) return;
    // With a selector, only namespaces it selects (others are another operator's business).
    if (selector && !namespaces.get(undefined, namespace)) return;
    queue.add(namespace);
  };
  const common = {
    kubeConfig: deps.kubeConfig,
    log,
    options: deps.informerOptions,
    // The reconciler never reads managedFields; dropping them roughly halves what the caches hold.
    transform: withoutManagedFields,
  };

  const namespaces = startInformer<V1Namespace>({
    ...common,
    apiVersion: 'v1',
    kind: 'Namespace',
    plural: 'namespaces',
    labelSelector: selector ? `${orgLabel},${selector}` : orgLabel,
    onEvent: (type, namespace) => {
      if (type === 'deleted') applies.forget(namespace);
      if (namespace.metadata?.name) queue.add(namespace.metadata.name);
    },
  });
  const cloudAgents = startInformer<CloudAgent>({
    ...common,
    apiVersion: `${cloudAgentGroup}/${cloudAgentVersion}`,
    kind: cloudAgentKind,
    plural: cloudAgentPlural,
    onEvent: enqueueNamespaceOf,
  });
  // By name: the operator may read this one Secret of each namespace and no other.
  const secrets = startInformer<V1Secret>({
    ...common,
    apiVersion: 'v1',
    kind: 'Secret',
    plural: 'secrets',
    fieldSelector: `metadata.name=${orgSecretName}`,
    onEvent: enqueueNamespaceOf,
  });
  const pullSecretNames = deps.settings.imagePullSecrets;
  if (pullSecretNames.length > 0 && !deps.pullSecretNamespace) {
    throw new Error('imagePullSecrets need the namespace that holds them (pullSecretNamespace)');
  }
  // A changed pull Secret is copied again into every org namespace.
  const enqueueEveryOrg = () => {
    for (const namespace of namespaces.list()) if (namespace.metadata?.name) queue.add(namespace.metadata.name);
  };
  const pullSecrets = pullSecretNames.map((name) =>
    startInformer<V1Secret>({
      ...common,
      apiVersion: 'v1',
      kind: 'Secret',
      plural: 'secrets',
      namespace: deps.pullSecretNamespace,
      fieldSelector: `metadata.name=${name}`,
      onEvent: enqueueEveryOrg,
    }),
  );
  const owned = ownedKinds.map((kind) =>
    startInformer<KubernetesObject>({
      ...common,
      ...kind,
      labelSelector: managedBySelector,
      // Only a trigger, and the version an apply may be skipped against: the reconcile builds
      // these objects and never reads them from a cache.
      transform: identityOf,
      onEvent: (type, object) => {
        if (type === 'deleted') applies.forget(object);
        enqueueNamespaceOf(type, object);
      },
    }),
  );
  const informers: Informer<KubernetesObject>[] = [cloudAgents, namespaces, secrets, ...pullSecrets, ...owned];

  const view: OrgView = {
    orgNamespace: (name) => {
      const namespace = namespaces.get(undefined, name);
      return namespace?.metadata?.labels?.[orgLabel] ? namespace : undefined;
    },
    // The informer gives listed items their apiVersion and kind, as watched ones have them.
    cloudAgents: (namespace) => cloudAgents.list(namespace),
    orgSecret: (namespace) => secrets.get(namespace, orgSecretName),
    pullSecrets: () =>
      pullSecretNames.flatMap((name, index) => pullSecrets[index]?.get(deps.pullSecretNamespace, name) ?? []),
  };
  const events = recordInBackground(createEventRecorder({ kube: deps.kube, identity: deps.identity, now, log }), {
    onDropped: (dropped) => {
      if (dropped % 100 === 1) log.warn({ dropped }, 'too many Events waiting to be recorded; dropping some');
    },
  });
  const applies = skipUnchangedApplies({
    kube: deps.kube,
    cachedVersionOf: (object) => {
      const { namespace, name = '' } = object.metadata ?? {};
      if (object.apiVersion === 'v1' && object.kind === 'Namespace') {
        return namespaces.get(undefined, name)?.metadata?.resourceVersion;
      }
      const index = ownedKinds.findIndex(
        (owned) => owned.apiVersion === object.apiVersion && owned.kind === object.kind,
      );
      return index < 0 ? null : owned[index]?.get(namespace, name)?.metadata?.resourceVersion;
    },
  });
  const reconcileOrg = createOrgReconciler({
    kube: applies.kube,
    view,
    settings: deps.settings,
    recordEvent: events.record,
    now,
    log,
  });

  const stopping = new AbortController();
  const synced = Promise.all(informers.map((informer) => informer.synced));
  // Level-triggered safety net: every org namespace again now and then, events or not.
  const resync = setInterval(enqueueEveryOrg, deps.resyncIntervalMs);
  // Workers start on a complete picture: a reconcile on half-filled caches could remove what exists.
  const workers = synced.then(
    () =>
      runWorkers({
        queue,
        workers: deps.workers,
        reconcile: (namespace) => reconcileOrg(namespace),
        onResult: deps.onResult,
        signal: stopping.signal,
      }),
    () => undefined,
  );

  return {
    queue,
    hasSynced: () => informers.every((informer) => informer.hasSynced()),
    async stop() {
      clearInterval(resync);
      stopping.abort();
      queue.shutDown();
      await Promise.all(informers.map((informer) => informer.stop()));
      await workers;
      await events.stop();
    },
  };
}

/**
 * What the operator keeps of an object it only watches for changes: which object, at which
 * version. The informers of owned kinds see every operator-labelled object of the cluster,
 * other installs' and shards' too, so what they keep must not grow with those objects' size.
 */
export function identityOf<T extends KubernetesObject>(object: T): T {
  const { name, namespace, uid, resourceVersion } = object.metadata ?? {};
  return { apiVersion: object.apiVersion, kind: object.kind, metadata: { name, namespace, uid, resourceVersion } } as T;
}

function withoutManagedFields<T extends KubernetesObject>(object: T): T {
  if (!object.metadata?.managedFields) return object;
  const { managedFields: _dropped, ...metadata } = object.metadata;
  return { ...object, metadata };
}

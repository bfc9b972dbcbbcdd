import type { KubeConfig, KubernetesObject, V1ConfigMap, V1Deployment } from '@kubernetes/client-node';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CloudAgentStatus, runtimeFinalizer } from '../../crds/cloud-agent.ts';
import { OrgRuntimeSettings } from '../../operator/config/org-runtime-settings.ts';
import type { ReconcileReport } from '../../operator/controller/run-workers.ts';
import { createKubeClient, type KubeClient } from '../../operator/kube/kube-client.ts';
import { objectPath } from '../../operator/kube/object-path.ts';
import type { CloudAgent } from '../../operator/reconcile/cloud-agent-status.ts';
import { type OrgController, startOrgController } from '../../operator/start-org-controller.ts';
import { aCloudAgent } from '../support/a-cloud-agent.ts';
import { applyCrds } from '../support/apply-crds.ts';
import { operatorIdentityFromChart } from '../support/chart-identity.ts';
import { eventually } from '../support/eventually.ts';
import { mapConcurrently } from '../support/map-concurrently.ts';
import { createOrgNamespace } from '../support/org-namespace.ts';
import { testKubeConfig } from '../support/test-kube.ts';

const orgCount = 50;
const agentsPerOrg = 5;
const setupConcurrency = 16;
const coldStartTimeoutMs = 120_000;
// Other test files create org namespaces on the same API server: this operator serves only ours.
const shard = { 'astromesh.io/test-shard': `cold-start-${process.pid}-${Date.now()}` };

describe('an operator starting on a cluster full of orgs', () => {
  let kubeConfig: KubeConfig;
  let admin: KubeClient;
  let operatorConfig: KubeConfig;
  let controller: OrgController | undefined;

  beforeAll(async () => {
    kubeConfig = testKubeConfig();
    await applyCrds(kubeConfig);
    admin = createKubeClient(kubeConfig);
    operatorConfig = (await operatorIdentityFromChart(kubeConfig)).kubeConfig;
  });

  afterAll(async () => {
    await controller?.stop();
    admin?.close();
  });

  it(
    `reconciles ${orgCount} orgs with ${agentsPerOrg} agents each correctly from a cold start`,
    async () => {
      const orgs = await createOrgsWithAgents();
      const namespaces = new Set(orgs.map((org) => org.namespace));
      const reports: ReconcileReport[] = [];
      const kube = createKubeClient(operatorConfig);

      controller = startOrgController({
        kubeConfig: operatorConfig,
        kube,
        orgNamespaceSelector: Object.entries(shard)
          .map(([key, value]) => `${key}=${value}`)
          .join(','),
        settings: OrgRuntimeSettings.parse({ image: 'astromesh:test' }),
        workers: 4,
        resyncIntervalMs: 60_000,
        identity: 'test',
        onResult: (report) => reports.push(report),
        log: pino({ level: 'silent' }),
      });

      // No kubelet runs the pods, so Deploying (rolling out) is as far as an agent gets.
      await eventually(
        async () => {
          const agents = (await listAll<CloudAgent>('astromesh.io/v1alpha1', 'cloudagents')).filter((agent) =>
            namespaces.has(agent.metadata?.namespace ?? ''),
          );
          expect(agents).toHaveLength(orgCount * agentsPerOrg);
          const unfinished = agents.filter((agent) => {
            const status = agent.status as CloudAgentStatus | undefined;
            return (
              status?.phase !== 'Deploying' ||
              status.observedGeneration !== 1 ||
              !agent.metadata?.finalizers?.includes(runtimeFinalizer)
            );
          });
          expect(unfinished.map((agent) => `${agent.metadata?.namespace}/${agent.metadata?.name}`)).toEqual([]);
        },
        { timeoutMs: coldStartTimeoutMs, intervalMs: 500 },
      );

      const deployments = inOurNamespaces(await listAll<V1Deployment>('apps/v1', 'deployments'), namespaces);
      const configMaps = inOurNamespaces(await listAll<V1ConfigMap>('v1', 'configmaps'), namespaces);
      for (const { namespace, orgSlug, agentNames } of orgs) {
        expect(deployments.get(namespace)?.get('astromesh-runtime')?.spec?.replicas).toBe(1);
        const agentFiles = Object.keys(configMaps.get(namespace)?.get('astromesh-agents')?.data ?? {}).sort();
        expect(agentFiles).toEqual(agentNames.map((name) => `${orgSlug}__${name}.yaml`).sort());
      }
      for (const [apiVersion, plural, name] of [
        ['v1', 'services', 'astromesh-runtime'],
        ['networking.k8s.io/v1', 'networkpolicies', 'astromesh-runtime-isolation'],
        ['v1', 'resourcequotas', 'astromesh-org-quota'],
        ['v1', 'limitranges', 'astromesh-org-limits'],
        ['v1', 'serviceaccounts', 'astromesh-runtime'],
      ] as const) {
        const objects = inOurNamespaces(await listAll(apiVersion, plural), namespaces);
        const missing = [...namespaces].filter((namespace) => !objects.get(namespace)?.has(name));
        expect(missing, `${plural}/${name} missing in`).toEqual([]);
      }
      const failed = reports.filter(
        (report) => namespaces.has(report.key) && (report.outcome === 'error' || report.outcome === 'terminal_error'),
      );
      expect(failed.map((report) => `${report.key}: ${String(report.error)}`)).toEqual([]);

      await controller.stop();
      controller = undefined;
      kube.close();
    },
    coldStartTimeoutMs + 90_000,
  );

  /** 50 org namespaces, each with its Secret and 5 CloudAgents, as the Cloud API writes them. */
  async function createOrgsWithAgents() {
    const orgs = await mapConcurrently(
      Array.from({ length: orgCount }, (_, index) => index),
      setupConcurrency,
      async () => {
        const { namespace, orgSlug } = await createOrgNamespace(kubeConfig, { labels: shard });
        const agentNames = Array.from({ length: agentsPerOrg }, (_, index) => `agent-${index + 1}`);
        return { namespace, orgSlug, agentNames };
      },
    );
    const agents = orgs.flatMap(({ namespace, orgSlug, agentNames }) =>
      agentNames.map((name) => aCloudAgent({ namespace, org: orgSlug, name })),
    );
    await mapConcurrently(agents, setupConcurrency, (agent) =>
      admin.call({
        method: 'POST',
        path: objectPath({ apiVersion: agent.apiVersion, kind: agent.kind, namespace: agent.metadata.namespace }),
        body: agent,
      }),
    );
    return orgs;
  }

  /** Every object of a kind, across all namespaces (one request, not one per namespace). */
  async function listAll<T extends KubernetesObject>(apiVersion: string, plural: string): Promise<T[]> {
    const root = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const list = await admin.call<{ items: T[] }>({ method: 'GET', path: `${root}/${plural}` });
    return list.items;
  }
});

/** Objects by namespace and name, for the namespaces given. */
function inOurNamespaces<T extends KubernetesObject>(objects: T[], namespaces: Set<string>) {
  const byNamespace = new Map<string, Map<string, T>>();
  for (const object of objects) {
    const namespace = object.metadata?.namespace ?? '';
    if (!namespaces.has(namespace)) continue;
    const named = byNamespace.get(namespace) ?? new Map<string, T>();
    named.set(object.metadata?.name ?? '', object);
    byNamespace.set(namespace, named);
  }
  return byNamespace;
}

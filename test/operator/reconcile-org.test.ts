import type {
  CoreV1Event,
  KubeConfig,
  V1ConfigMap,
  V1Deployment,
  V1Namespace,
  V1Secret,
} from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CloudAgentStatus, runtimeFinalizer } from '../../crds/cloud-agent.ts';
import { OrgRuntimeSettings } from '../../operator/config/org-runtime-settings.ts';
import { createKubeClient, type KubeClient } from '../../operator/kube/kube-client.ts';
import { cloudAgentPath, objectPath } from '../../operator/kube/object-path.ts';
import type { CloudAgent } from '../../operator/reconcile/cloud-agent-status.ts';
import { aCloudAgent } from '../support/a-cloud-agent.ts';
import { applyCrds } from '../support/apply-crds.ts';
import { operatorIdentityFromChart } from '../support/chart-identity.ts';
import { createOrgNamespace } from '../support/org-namespace.ts';
import { reconcileOnce } from '../support/reconcile-once.ts';
import { createTestNamespace, testKubeConfig } from '../support/test-kube.ts';

describe('reconciling one org namespace', () => {
  let kubeConfig: KubeConfig;
  let admin: KubeClient;
  let operator: KubeClient;

  beforeAll(async () => {
    kubeConfig = testKubeConfig();
    await applyCrds(kubeConfig);
    admin = createKubeClient(kubeConfig);
    // The operator acts with exactly the RBAC the Helm chart ships, never as an admin.
    operator = createKubeClient((await operatorIdentityFromChart(kubeConfig)).kubeConfig);
  });

  const reconcile = (namespace: string) => reconcileOnce(operator, namespace);

  const read = <T>(path: string) => admin.call<T>({ method: 'GET', path });
  const statusOf = async (namespace: string, name: string) =>
    (await read<CloudAgent>(cloudAgentPath(namespace, name))).status as CloudAgentStatus;
  const conditionOf = (status: CloudAgentStatus, type: string) => status.conditions?.find((c) => c.type === type);
  const deploymentOf = (namespace: string) =>
    read<V1Deployment>(objectPath({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: 'astromesh-runtime' }));
  const agentsConfigOf = async (namespace: string) =>
    Object.keys(
      (
        await read<V1ConfigMap>(
          objectPath({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'astromesh-agents' }),
        )
      ).data ?? {},
    );

  async function createAgent(namespace: string, orgSlug: string, name: string) {
    await admin.call({
      method: 'POST',
      path: cloudAgentPath(namespace),
      body: aCloudAgent({ namespace, org: orgSlug, name }),
    });
  }

  /** Plays the Deployment controller and kubelet: every replica of the current template is up. */
  async function finishRollout(namespace: string) {
    const deployment = await deploymentOf(namespace);
    const replicas = deployment.spec?.replicas ?? 0;
    await admin.mergePatch(
      objectPath({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        namespace,
        name: 'astromesh-runtime',
        subresource: 'status',
      }),
      {
        status: {
          observedGeneration: deployment.metadata?.generation,
          replicas,
          updatedReplicas: replicas,
          readyReplicas: replicas,
          availableReplicas: replicas,
        },
      },
    );
  }

  it('fences the namespace, runs the org runtime and marks the agents Deploying, then Ready once rolled out', async () => {
    const { namespace, orgSlug } = await createOrgNamespace(kubeConfig);
    await createAgent(namespace, orgSlug, 'support');
    await createAgent(namespace, orgSlug, 'billing');

    await reconcile(namespace);

    const ns = await read<V1Namespace>(objectPath({ apiVersion: 'v1', kind: 'Namespace', name: namespace }));
    expect(ns.metadata?.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
    for (const [apiVersion, kind, name] of [
      ['networking.k8s.io/v1', 'NetworkPolicy', 'astromesh-runtime-isolation'],
      ['v1', 'ResourceQuota', 'astromesh-org-quota'],
      ['v1', 'LimitRange', 'astromesh-org-limits'],
      ['v1', 'ServiceAccount', 'astromesh-runtime'],
      ['v1', 'Service', 'astromesh-runtime'],
    ] as const) {
      await expect(read(objectPath({ apiVersion, kind, namespace, name }))).resolves.toBeDefined();
    }
    expect(await agentsConfigOf(namespace)).toEqual([`${orgSlug}__billing.yaml`, `${orgSlug}__support.yaml`]);
    expect((await deploymentOf(namespace)).spec?.replicas).toBe(1);

    const deploying = await statusOf(namespace, 'support');
    expect(deploying).toMatchObject({ phase: 'Deploying', agentId: `${orgSlug}__support`, observedGeneration: 1 });
    expect(conditionOf(deploying, 'Accepted')).toMatchObject({ status: 'True', observedGeneration: 1 });
    expect(conditionOf(deploying, 'ProviderKeysReady')).toMatchObject({ status: 'True' });
    expect(conditionOf(deploying, 'Ready')).toMatchObject({ status: 'False', reason: 'RollingOut' });
    const agent = await read<CloudAgent>(cloudAgentPath(namespace, 'support'));
    expect(agent.metadata?.finalizers).toEqual([runtimeFinalizer]);

    await finishRollout(namespace);
    await reconcile(namespace);

    const ready = await statusOf(namespace, 'support');
    expect(ready.phase).toBe('Ready');
    expect(conditionOf(ready, 'Ready')).toMatchObject({ status: 'True', reason: 'Serving' });
    expect(ready.deployedAt).toBeDefined();
    const events = await read<{ items: CoreV1Event[] }>(objectPath({ apiVersion: 'v1', kind: 'Event', namespace }));
    const reasons = events.items.filter((e) => e.involvedObject.name === 'support').map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['Deploying', 'Ready']));
  });

  it('takes a paused agent out of the runtime, and a redeployed one back in after its rollout', async () => {
    const { namespace, orgSlug } = await createOrgNamespace(kubeConfig);
    await createAgent(namespace, orgSlug, 'support');
    await createAgent(namespace, orgSlug, 'billing');
    await reconcile(namespace);
    await finishRollout(namespace);
    await reconcile(namespace);
    const hashBefore = (await deploymentOf(namespace)).spec?.template.metadata?.annotations?.[
      'astromesh.io/config-hash'
    ];

    await admin.mergePatch(cloudAgentPath(namespace, 'billing'), { spec: { paused: true } });
    await reconcile(namespace);

    expect(await agentsConfigOf(namespace)).toEqual([`${orgSlug}__support.yaml`]);
    const paused = await statusOf(namespace, 'billing');
    expect(paused).toMatchObject({ phase: 'Paused', observedGeneration: 2 });
    expect(paused.pausedAt).toBeDefined();
    // The other agent waits for the pods with the new config before it is Ready again.
    expect((await statusOf(namespace, 'support')).phase).toBe('Deploying');
    expect((await deploymentOf(namespace)).spec?.template.metadata?.annotations?.['astromesh.io/config-hash']).not.toBe(
      hashBefore,
    );

    await admin.mergePatch(cloudAgentPath(namespace, 'billing'), { spec: { paused: false } });
    await reconcile(namespace);
    expect((await statusOf(namespace, 'billing')).phase).toBe('Deploying');
    await finishRollout(namespace);
    await reconcile(namespace);
    expect((await statusOf(namespace, 'billing')).phase).toBe('Ready');
  });

  it('scales the runtime to zero when the last agent is paused', async () => {
    const { namespace, orgSlug } = await createOrgNamespace(kubeConfig);
    await createAgent(namespace, orgSlug, 'support');
    await reconcile(namespace);
    await admin.mergePatch(cloudAgentPath(namespace, 'support'), { spec: { paused: true } });
    await reconcile(namespace);

    expect((await deploymentOf(namespace)).spec?.replicas).toBe(0);
    expect(await agentsConfigOf(namespace)).toEqual([]);
  });

  it('holds a deleted agent with its finalizer until the runtime no longer serves it', async () => {
    const { namespace, orgSlug } = await createOrgNamespace(kubeConfig);
    await createAgent(namespace, orgSlug, 'support');
    await createAgent(namespace, orgSlug, 'billing');
    await reconcile(namespace);

    await admin.call({ method: 'DELETE', path: cloudAgentPath(namespace, 'billing') });
    const held = await read<CloudAgent>(cloudAgentPath(namespace, 'billing'));
    expect(held.metadata?.deletionTimestamp).toBeDefined();

    await reconcile(namespace);

    expect(await agentsConfigOf(namespace)).toEqual([`${orgSlug}__support.yaml`]);
    await expect(read(cloudAgentPath(namespace, 'billing'))).rejects.toMatchObject({ statusCode: 404 });
  });

  it('keeps the agents Pending and the runtime at zero while the org Secret is missing', async () => {
    const { namespace, orgSlug } = await createOrgNamespace(kubeConfig, { withSecret: false });
    await createAgent(namespace, orgSlug, 'support');

    await reconcile(namespace);

    const status = await statusOf(namespace, 'support');
    expect(status.phase).toBe('Pending');
    expect(conditionOf(status, 'ProviderKeysReady')).toMatchObject({
      status: 'False',
      reason: 'SecretMissing',
      message: `Secret astromesh-org-runtime not found in ${namespace}`,
    });
    expect((await deploymentOf(namespace)).spec?.replicas).toBe(0);
  });

  it('gives an agent the runtime would refuse a Failed phase that says what to fix, and serves the others', async () => {
    const { namespace, orgSlug } = await createOrgNamespace(kubeConfig);
    await createAgent(namespace, orgSlug, 'support');
    const broken = aCloudAgent({ namespace, org: orgSlug, name: 'broken' });
    broken.spec.agent.spec.prompts = { system: 'Hello {{ name ' };
    await admin.call({ method: 'POST', path: cloudAgentPath(namespace), body: broken });

    await reconcile(namespace);

    const status = await statusOf(namespace, 'broken');
    expect(status.phase).toBe('Failed');
    expect(conditionOf(status, 'Accepted')).toMatchObject({ status: 'False', reason: 'InvalidSpec' });
    expect(conditionOf(status, 'Accepted')?.message).toContain(
      'spec.agent.spec.prompts.system: template does not parse',
    );
    expect(await agentsConfigOf(namespace)).toEqual([`${orgSlug}__support.yaml`]);
  });

  it("refuses a CloudAgent that names another org than its namespace's", async () => {
    const { namespace } = await createOrgNamespace(kubeConfig);
    await admin.call({
      method: 'POST',
      path: cloudAgentPath(namespace),
      body: aCloudAgent({ namespace, org: 'other-org' }),
    });

    await reconcile(namespace);

    const status = await statusOf(namespace, 'support-bot');
    expect(status.phase).toBe('Failed');
    expect(conditionOf(status, 'Accepted')).toMatchObject({ reason: 'OrgMismatch' });
  });

  it('marks a CloudAgent outside any org namespace Failed, without a finalizer', async () => {
    const namespace = await createTestNamespace(kubeConfig);
    await admin.call({ method: 'POST', path: cloudAgentPath(namespace), body: aCloudAgent({ namespace }) });

    await reconcile(namespace);

    const agent = await read<CloudAgent>(cloudAgentPath(namespace, 'support-bot'));
    expect(agent.status?.phase).toBe('Failed');
    expect(conditionOf(agent.status as CloudAgentStatus, 'Accepted')).toMatchObject({ reason: 'NotAnOrgNamespace' });
    expect(agent.metadata?.finalizers ?? []).toEqual([]);
  });

  it('restores what was edited or deleted by hand on the next reconcile', async () => {
    const { namespace, orgSlug } = await createOrgNamespace(kubeConfig);
    await createAgent(namespace, orgSlug, 'support');
    await reconcile(namespace);

    await admin.call({
      method: 'DELETE',
      path: objectPath({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        namespace,
        name: 'astromesh-runtime-isolation',
      }),
    });
    await admin.mergePatch(
      objectPath({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: 'astromesh-runtime' }),
      {
        spec: { replicas: 5, template: { spec: { automountServiceAccountToken: true } } },
      },
    );
    await admin.mergePatch(objectPath({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'astromesh-agents' }), {
      data: { 'intruder.yaml': 'kind: Agent' },
    });

    await reconcile(namespace);

    await expect(
      read(
        objectPath({
          apiVersion: 'networking.k8s.io/v1',
          kind: 'NetworkPolicy',
          namespace,
          name: 'astromesh-runtime-isolation',
        }),
      ),
    ).resolves.toBeDefined();
    const deployment = await deploymentOf(namespace);
    expect(deployment.spec?.replicas).toBe(1);
    expect(deployment.spec?.template.spec?.automountServiceAccountToken).toBe(false);
    expect(await agentsConfigOf(namespace)).toEqual([`${orgSlug}__support.yaml`]);
  });

  it("copies the runtime image's pull Secret into the org namespace and names it on the runtime pods", async () => {
    // An operator whose chart values list the pull Secret: only then may it read and copy it.
    const identity = await operatorIdentityFromChart(kubeConfig, { 'runtime.imagePullSecrets[0].name': 'regcred' });
    const dockerConfig = Buffer.from('{"auths":{"registry.example.com":{"auth":"dXNlcjpwYXNz"}}}').toString('base64');
    await admin.call({
      method: 'POST',
      path: objectPath({ apiVersion: 'v1', kind: 'Secret', namespace: identity.releaseNamespace }),
      body: {
        metadata: { name: 'regcred' },
        type: 'kubernetes.io/dockerconfigjson',
        data: { '.dockerconfigjson': dockerConfig },
      },
    });
    const { namespace, orgSlug } = await createOrgNamespace(kubeConfig);
    await createAgent(namespace, orgSlug, 'support');

    await reconcileOnce(createKubeClient(identity.kubeConfig), namespace, {
      settings: OrgRuntimeSettings.parse({ image: 'registry.example.com/astromesh:1', imagePullSecrets: ['regcred'] }),
      pullSecretNamespace: identity.releaseNamespace,
    });

    const copy = await read<V1Secret>(objectPath({ apiVersion: 'v1', kind: 'Secret', namespace, name: 'regcred' }));
    expect(copy).toMatchObject({ type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': dockerConfig } });
    expect((await deploymentOf(namespace)).spec?.template.spec?.imagePullSecrets).toEqual([{ name: 'regcred' }]);
  });
});

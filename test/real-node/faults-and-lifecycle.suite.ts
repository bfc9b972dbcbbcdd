import { AppsV1Api, CoordinationV1Api, CoreV1Api, CustomObjectsApi, NetworkingV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { cloudAgentGroup, cloudAgentPlural, cloudAgentVersion } from '../../crds/cloud-agent.ts';
import { orgNamespaceOf } from '../../crds/org-runtime-names.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { eventually } from '../support/eventually.ts';
import { chartDir, runHelm, writeValuesFile } from '../support/helm-chart.ts';
import { isPodReady } from '../support/is-pod-ready.ts';
import { jsonOf } from '../support/json-of.ts';
import { openAgentSocket, type StreamEvent } from '../support/open-agent-socket.ts';
import { helmInstallRelease, installValues, release } from './install-astromesh.ts';
import { type OrgUser, post } from './org-users.ts';
import { useRealNode } from './use-real-node.ts';

// Faults on a real node, and the release's lifecycle: what a cluster does to pods (kills them,
// reschedules them) and what an admin does (upgrade, uninstall, install again). Every test leaves
// the release installed and serving for the suites after it.

const streamErrorTimeoutMs = 15_000;
const recoveryTimeoutMs = 180_000;

describe('faults and the release lifecycle on a real node', () => {
  const setup = useRealNode({ deployedOrgs: 1 });
  const org = () => setup.orgs[0] as OrgUser;

  const core = () => setup.node.admin.makeApiClient(CoreV1Api);
  const run = (query: string) => org().as('/agents/support-bot/run', post({ query }));
  const runsAgain = (answer: string) =>
    eventually(
      async () => {
        const response = await run('Are you there?');
        expect(response.status).toBe(200);
        expect(await jsonOf(response)).toMatchObject({ answer });
      },
      { timeoutMs: recoveryTimeoutMs, intervalMs: 1000 },
    );

  it('ends a stream with an error event when its runtime pod is killed, and a new pod serves the next run', async () => {
    const namespace = orgNamespaceOf(org().org);
    const [pod] = (await core().listNamespacedPod({ namespace })).items;
    setup.provider.fake.enqueue(
      fakeReply.text('one two three four five six seven eight nine ten eleven twelve', { chunkDelayMs: 500 }),
    );
    const socket = await openAgentSocket(setup.node.apiUrl, {
      path: `/api/v1/orgs/${org().org}/agents/support-bot/stream?token=${encodeURIComponent(org().token)}`,
    });
    try {
      socket.send({ query: 'Count slowly.' });
      // Up to the first token, or the run's end: a run that ends first fails here, not at the timeout.
      const first = await socket.until((event) => ['token', 'done', 'error'].includes(event.type));
      expect(first.at(-1)?.type, JSON.stringify(first.at(-1))).toBe('token');

      // As a node failure or `kubectl delete --force` does: no grace, the container is killed.
      await core().deleteNamespacedPod({ namespace, name: pod?.metadata?.name ?? '', gracePeriodSeconds: 0 });
      const rest: StreamEvent[] = await Promise.race([
        socket.untilEnd(),
        new Promise<never>((_, reject) =>
          setTimeout(
            () => reject(new Error(`no error event within ${streamErrorTimeoutMs} ms`)),
            streamErrorTimeoutMs,
          ).unref(),
        ),
      ]);
      expect(rest.at(-1)).toMatchObject({ type: 'error', error: 'runtime_unavailable' });
    } finally {
      socket.close();
    }

    setup.provider.fake.setDefaultReply(fakeReply.text('A new pod, at your service.'));
    await runsAgain('A new pod, at your service.');
    const pods = (await core().listNamespacedPod({ namespace })).items.filter(isPodReady);
    expect(pods.map((current) => current.metadata?.name)).not.toContain(pod?.metadata?.name);
  }, 240_000);

  it('hands the operator lease to the standby replica when the leader pod is deleted, which then reconciles', async () => {
    const leases = setup.node.admin.makeApiClient(CoordinationV1Api);
    const leaseOf = () => leases.readNamespacedLease({ namespace: release.namespace, name: 'astromesh-operator' });
    const lease = await leaseOf();
    const leader = lease.spec?.holderIdentity ?? '';
    const leaseDurationMs = (lease.spec?.leaseDurationSeconds ?? 0) * 1000;
    expect(leaseDurationMs).toBeGreaterThan(0);
    expect(leader).not.toBe('');

    await core().deleteNamespacedPod({ namespace: release.namespace, name: leader });
    const next = await eventually(
      async () => {
        const holder = (await leaseOf()).spec?.holderIdentity ?? '';
        expect(holder).not.toBe('');
        expect(holder).not.toBe(leader);
        return holder;
      },
      // The bound is the contract: the standby takes over within one lease duration.
      { timeoutMs: leaseDurationMs, intervalMs: 250 },
    );

    // The new leader reconciles: a pause and a redeploy go through the operator.
    expect((await org().as('/agents/support-bot/pause', post())).status).toBe(200);
    const redeployed = await org().as('/agents/support-bot/deploy', post());
    expect(redeployed.status, JSON.stringify(await jsonOf(redeployed.clone()))).toBe(200);
    const cloudAgent = (await setup.node.admin.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      group: cloudAgentGroup,
      version: cloudAgentVersion,
      plural: cloudAgentPlural,
      namespace: orgNamespaceOf(org().org),
      name: 'support-bot',
    })) as { status?: { phase?: string } };
    expect(cloudAgent.status?.phase).toBe('Ready');
    expect(next).not.toBe(leader);
  }, 240_000);

  it('recovers unaided when the PostgreSQL pod restarts, with nothing lost', async () => {
    const agentsBefore = await jsonOf(await org().as('/agents'));

    await core().deleteNamespacedPod({ namespace: release.namespace, name: `${release.postgresqlStatefulSet}-0` });

    setup.provider.fake.setDefaultReply(fakeReply.text('Still remembered.'));
    await runsAgain('Still remembered.');
    expect(await jsonOf(await org().as('/agents'))).toEqual(agentsBefore);
  }, 240_000);

  it('rolls a helm upgrade that changes a value without failing a request at low load', async () => {
    const apps = setup.node.admin.makeApiClient(AppsV1Api);
    const before = await apps.readNamespacedDeployment({ namespace: release.namespace, name: release.apiDeployment });
    const failures: string[] = [];
    let requests = 0;
    let loading = true;
    const load = (async () => {
      while (loading) {
        requests++;
        try {
          const response = await org().as('/agents');
          if (response.status !== 200) failures.push(`GET /agents: ${response.status}`);
          else await response.arrayBuffer();
        } catch (err) {
          failures.push(`GET /agents: ${(err as Error).message}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();

    try {
      await runHelm(
        [
          'upgrade',
          release.name,
          chartDir,
          '--namespace',
          release.namespace,
          '--values',
          writeValuesFile(installValues(setup.node.images, { api: { logLevel: 'debug' } })),
          '--wait',
          '--timeout',
          '6m',
        ],
        { kubeconfigPath: setup.node.kubeconfigPath },
      );
    } finally {
      loading = false;
      await load;
    }

    const after = await apps.readNamespacedDeployment({ namespace: release.namespace, name: release.apiDeployment });
    expect(after.metadata?.generation).toBeGreaterThan(before.metadata?.generation ?? 0);
    expect(after.spec?.template.spec?.containers[0]?.env).toContainEqual({
      name: 'ASTROMESH_LOG_LEVEL',
      value: 'debug',
    });
    expect(requests).toBeGreaterThan(10);
    expect(failures).toEqual([]);
  }, 480_000);

  it('leaves, after helm uninstall, what docs/install.md says it leaves, and a reinstall adopts it with nothing lost', async () => {
    await runHelm(['uninstall', release.name, '--namespace', release.namespace, '--wait', '--timeout', '3m'], {
      kubeconfigPath: setup.node.kubeconfigPath,
    });

    const apps = setup.node.admin.makeApiClient(AppsV1Api);
    const names = (list: { items: { metadata?: { name?: string } }[] }) =>
      list.items.map((item) => item.metadata?.name);
    const namespace = release.namespace;
    expect(names(await apps.listNamespacedDeployment({ namespace }))).toEqual([]);
    expect(names(await apps.listNamespacedStatefulSet({ namespace }))).toEqual([]);
    expect(names(await core().listNamespacedService({ namespace }))).toEqual([]);
    // What Kubernetes puts in every namespace stays; the chart's ConfigMaps go.
    expect(names(await core().listNamespacedConfigMap({ namespace }))).toEqual(['kube-root-ca.crt']);
    expect(
      names(await setup.node.admin.makeApiClient(NetworkingV1Api).listNamespacedNetworkPolicy({ namespace })),
    ).toEqual([]);
    const secrets = (await core().listNamespacedSecret({ namespace: release.namespace })).items.map(
      (secret) => secret.metadata?.name,
    );
    expect(secrets).toEqual(expect.arrayContaining([`${release.name}-keys`, `${release.name}-postgresql`]));
    const claims = (await core().listNamespacedPersistentVolumeClaim({ namespace: release.namespace })).items;
    expect(claims.map((claim) => claim.metadata?.name)).toEqual([`data-${release.postgresqlStatefulSet}-0`]);
    expect(await setup.node.kubectl(['get', 'crd', 'cloudagents.astromesh.io', '-o', 'name'])).toContain('cloudagents');
    // The org namespace stays, and its runtime keeps running without the API and the operator.
    const runtimePods = (await core().listNamespacedPod({ namespace: orgNamespaceOf(org().org) })).items;
    expect(runtimePods.filter(isPodReady)).toHaveLength(1);
    await eventually(
      async () =>
        expect(
          (await core().listNamespacedPod({ namespace: release.namespace })).items.map((pod) => pod.metadata?.name),
        ).toEqual([]),
      { timeoutMs: 120_000, intervalMs: 1000 },
    );

    // Installed again under the same name, the release adopts the kept keys and database volume:
    // the org, its agent and its stored provider key are all still there.
    await helmInstallRelease({ kubeconfigPath: setup.node.kubeconfigPath, images: setup.node.images });
    setup.provider.fake.setDefaultReply(fakeReply.text('Reinstalled, and I remember you.'));
    await runsAgain('Reinstalled, and I remember you.');
  }, 600_000);
});

import type { KubeConfig, V1Deployment } from '@kubernetes/client-node';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OrgRuntimeSettings } from '../../operator/config/org-runtime-settings.ts';
import { createKubeClient, type KubeClient } from '../../operator/kube/kube-client.ts';
import { cloudAgentPath, objectPath } from '../../operator/kube/object-path.ts';
import { type RunningOperator, startOperator } from '../../operator/start-operator.ts';
import { aCloudAgent } from '../support/a-cloud-agent.ts';
import { applyCrds } from '../support/apply-crds.ts';
import { operatorIdentityFromChart } from '../support/chart-identity.ts';
import { phaseOf } from '../support/cloud-agent-phase.ts';
import { eventually } from '../support/eventually.ts';
import { createOrgNamespace } from '../support/org-namespace.ts';
import { testKubeConfig } from '../support/test-kube.ts';

const settings = OrgRuntimeSettings.parse({ image: 'astromesh:test' });
const log = pino({ level: 'silent' });
// A lease no test outlives (the test timeout is 30 s): a standby can take over only because the
// leader released the Lease on stop, never because it expired, so the hand-over is shown by
// events, not by a clock. A short retry period keeps the standby's next attempt quick.
const lease = { leaseDurationMs: 120_000, renewDeadlineMs: 80_000, retryPeriodMs: 300 };
// Other test files create org namespaces on the same API server: these operators serve only ours.
const shard = { 'astromesh.io/test-shard': `operator-${process.pid}-${Date.now()}` };
const orgNamespaceSelector = Object.entries(shard)
  .map(([key, value]) => `${key}=${value}`)
  .join(',');

describe('the operator, running as the Helm chart’s ServiceAccount', () => {
  let admin: KubeConfig;
  let adminKube: KubeClient;
  let operatorIdentity: KubeConfig;
  let releaseNamespace: string;
  const running: RunningOperator[] = [];

  beforeAll(async () => {
    admin = testKubeConfig();
    await applyCrds(admin);
    adminKube = createKubeClient(admin);
    ({ releaseNamespace, kubeConfig: operatorIdentity } = await operatorIdentityFromChart(admin));
  });

  // Each test's operators stop with it: an operator left running would reconcile the next
  // test's orgs too (they share the shard label) and blur which replica did the work.
  afterEach(async () => {
    await Promise.all(running.splice(0).map((operator) => operator.stop()));
  });

  afterAll(async () => {
    adminKube.close();
  });

  async function anOperator(identity: string, options: { elect?: boolean } = {}): Promise<RunningOperator> {
    const operator = await startOperator({
      kubeConfig: operatorIdentity,
      settings,
      leaderElection:
        options.elect === false
          ? undefined
          : { namespace: releaseNamespace, name: 'astromesh-operator', identity, ...lease },
      identity,
      orgNamespaceSelector,
      workers: 2,
      resyncIntervalMs: 60_000,
      host: '127.0.0.1',
      port: 0,
      log: log.child({ identity }),
    });
    running.push(operator);
    return operator;
  }

  const metricsOf = async (operator: RunningOperator) =>
    (await fetch(`http://127.0.0.1:${operator.port}/metrics`)).text();
  const reconcilesOf = async (operator: RunningOperator) =>
    [
      ...(await metricsOf(operator)).matchAll(/^astromesh_operator_reconciles_total\{result="[a-z_]+"\} (\d+)/gm),
    ].reduce((sum, match) => sum + Number(match[1]), 0);
  const path = (namespace: string, apiVersion: string, kind: string, name: string) =>
    objectPath({ apiVersion, kind, namespace, name });

  async function anOrgWithAnAgent() {
    const { namespace, orgSlug } = await createOrgNamespace(admin, { labels: shard });
    await adminKube.call({
      method: 'POST',
      path: cloudAgentPath(namespace),
      body: aCloudAgent({ namespace, org: orgSlug, name: 'support' }),
    });
    return { namespace, orgSlug };
  }

  it('reconciles on events, serves probes and metrics, and heals what is deleted or edited by hand', async () => {
    const operator = await anOperator('solo', { elect: false });
    const { namespace } = await anOrgWithAnAgent();

    await eventually(async () => expect(await phaseOf(adminKube, namespace, 'support')).toBe('Deploying'), {
      timeoutMs: 20_000,
    });
    expect((await fetch(`http://127.0.0.1:${operator.port}/healthz`)).status).toBe(200);
    await eventually(async () => expect((await fetch(`http://127.0.0.1:${operator.port}/readyz`)).status).toBe(200));
    // Counted once the reconcile that wrote the status has returned: on a loaded machine, later.
    // Its result is requeue_after (no kubelet, so the rollout waits); success comes only from a
    // reconcile that ran before the CloudAgent was seen, which a loaded machine may never run.
    await eventually(async () => {
      const metrics = await metricsOf(operator);
      expect(metrics).toMatch(/^astromesh_operator_reconciles_total\{result="(success|requeue_after)"\} [1-9]/m);
      expect(metrics).toMatch(/^astromesh_operator_queue_depth \d+/m);
      expect(metrics).toMatch(/^astromesh_operator_reconcile_duration_seconds_count [1-9]/m);
    });

    const drifted = [
      ['apps/v1', 'Deployment', 'astromesh-runtime'],
      ['v1', 'Service', 'astromesh-runtime'],
      ['networking.k8s.io/v1', 'NetworkPolicy', 'astromesh-runtime-isolation'],
      ['v1', 'ConfigMap', 'astromesh-agents'],
    ] as const;
    for (const [apiVersion, kind, name] of drifted) {
      await adminKube.call({ method: 'DELETE', path: path(namespace, apiVersion, kind, name) });
    }
    for (const [apiVersion, kind, name] of drifted) {
      await eventually(() => adminKube.call({ method: 'GET', path: path(namespace, apiVersion, kind, name) }), {
        timeoutMs: 20_000,
      });
    }

    const deploymentPath = path(namespace, 'apps/v1', 'Deployment', 'astromesh-runtime');
    await adminKube.mergePatch(deploymentPath, { spec: { replicas: 7 } });
    await adminKube.mergePatch(path(namespace, 'v1', 'ConfigMap', 'astromesh-agents'), {
      data: { 'intruder.yaml': 'kind: Agent' },
    });
    await eventually(
      async () => {
        const deployment = await adminKube.call<V1Deployment>({ method: 'GET', path: deploymentPath });
        expect(deployment.spec?.replicas).toBe(1);
        const config = await adminKube.call<{ data?: Record<string, string> }>({
          method: 'GET',
          path: path(namespace, 'v1', 'ConfigMap', 'astromesh-agents'),
        });
        expect(Object.keys(config.data ?? {})).not.toContain('intruder.yaml');
      },
      { timeoutMs: 20_000 },
    );
  });

  it('lets exactly one of two replicas reconcile, and hands over when the leader stops', async () => {
    const first = await anOperator('replica-a');
    await eventually(() => expect(first.isLeader()).toBe(true), { timeoutMs: 10_000 });
    const second = await anOperator('replica-b');

    const { namespace } = await anOrgWithAnAgent();
    await eventually(async () => expect(await phaseOf(adminKube, namespace, 'support')).toBe('Deploying'), {
      timeoutMs: 20_000,
    });
    expect(second.isLeader()).toBe(false);
    expect(await reconcilesOf(second)).toBe(0);
    await eventually(async () => expect(await reconcilesOf(first)).toBeGreaterThan(0));
    expect(await metricsOf(second)).toMatch(/^astromesh_operator_is_leader 0/m);
    // A standby is ready: it is healthy and only waits for the Lease.
    expect((await fetch(`http://127.0.0.1:${second.port}/readyz`)).status).toBe(200);

    // Released on stop: the standby takes over without waiting for the Lease to expire.
    await first.stop();
    await eventually(() => expect(second.isLeader()).toBe(true));

    const other = await anOrgWithAnAgent();
    await eventually(async () => expect(await phaseOf(adminKube, other.namespace, 'support')).toBe('Deploying'), {
      timeoutMs: 20_000,
    });
    // Counted once the reconcile that wrote the status has returned.
    await eventually(async () => expect(await reconcilesOf(second)).toBeGreaterThan(0));
  });
});

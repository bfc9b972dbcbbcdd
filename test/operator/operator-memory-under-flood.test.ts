import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrgRuntimeSettings } from '../../operator/config/org-runtime-settings.ts';
import { createKubeClient, type KubeClient } from '../../operator/kube/kube-client.ts';
import { cloudAgentPath, objectPath } from '../../operator/kube/object-path.ts';
import { managedByLabel } from '../../operator/reconcile/org-labels.ts';
import { type RunningOperator, startOperator } from '../../operator/start-operator.ts';
import { aCloudAgent } from '../support/a-cloud-agent.ts';
import { applyCrds } from '../support/apply-crds.ts';
import { operatorIdentityFromChart } from '../support/chart-identity.ts';
import { phaseOf } from '../support/cloud-agent-phase.ts';
import { eventually } from '../support/eventually.ts';
import { mapConcurrently } from '../support/map-concurrently.ts';
import { createOrgNamespace } from '../support/org-namespace.ts';
import { createTestNamespace, testKubeConfig } from '../support/test-kube.ts';

// Other test files write to the same API server while this operator runs (with two vitest
// workers, one such run once ended with the worker OOM-killed at 23 GB). The operator serves
// one shard, but its informers of owned kinds watch every operator-labelled object of the
// cluster: what it keeps of those must not grow with what others write.
const shard = { 'astromesh.io/test-shard': `flood-${process.pid}-${Date.now()}` };
const floodObjects = 64;
const floodBytesEach = 768 * 1024;
const floodBytes = floodObjects * floodBytesEach;

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
const heapUsedAfterGc = () => {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
};

describe('an operator while another writer floods the cluster', () => {
  let adminKube: KubeClient;
  let operator: RunningOperator | undefined;

  beforeAll(async () => {
    adminKube = createKubeClient(testKubeConfig());
    await applyCrds(testKubeConfig());
  });

  afterAll(async () => {
    await operator?.stop();
    adminKube.close();
  });

  it('keeps only the identity of the operator-labelled objects it does not serve, however large they are', async () => {
    const admin = testKubeConfig();
    const { kubeConfig } = await operatorIdentityFromChart(admin);
    const { namespace, orgSlug } = await createOrgNamespace(admin, { labels: shard });
    await adminKube.call({
      method: 'POST',
      path: cloudAgentPath(namespace),
      body: aCloudAgent({ namespace, org: orgSlug }),
    });
    operator = await startOperator({
      kubeConfig,
      settings: OrgRuntimeSettings.parse({ image: 'astromesh:test' }),
      leaderElection: undefined,
      identity: 'flooded',
      orgNamespaceSelector: Object.entries(shard)
        .map(([key, value]) => `${key}=${value}`)
        .join(','),
      workers: 2,
      resyncIntervalMs: 60_000,
      host: '127.0.0.1',
      port: 0,
      log: pino({ level: 'silent' }),
    });
    await eventually(async () => expect(await phaseOf(adminKube, namespace, 'support-bot')).toBe('Deploying'), {
      timeoutMs: 20_000,
    });
    const before = heapUsedAfterGc();

    // Another install's objects, in a namespace this operator does not serve.
    const elsewhere = await createTestNamespace(admin, 'flood');
    const payload = 'x'.repeat(floodBytesEach);
    await mapConcurrently(
      Array.from({ length: floodObjects }, (_, index) => `flood-${index}`),
      4,
      (name) =>
        adminKube.call({
          method: 'POST',
          path: objectPath({ apiVersion: 'v1', kind: 'ConfigMap', namespace: elsewhere }),
          body: { metadata: { name, namespace: elsewhere, labels: managedByLabel }, data: { payload } },
        }),
    );
    // One watch delivers its events in order: once the operator has seen this deletion (and
    // put its ConfigMap back), it has seen every flood ConfigMap before it.
    const agentsConfig = objectPath({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'astromesh-agents' });
    await adminKube.call({ method: 'DELETE', path: agentsConfig });
    await eventually(() => adminKube.call({ method: 'GET', path: agentsConfig }), { timeoutMs: 20_000 });

    const grownBytes = heapUsedAfterGc() - before;
    expect(grownBytes).toBeLessThan(floodBytes / 4);
  });
});

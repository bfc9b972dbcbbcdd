import { Writable } from 'node:stream';
import type { KubeConfig } from '@kubernetes/client-node';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCloudAgent } from '../../api/backends/kubernetes/build-cloud-agent.ts';
import { type CloudAgentsClient, createCloudAgentsClient } from '../../api/backends/kubernetes/cloud-agents-client.ts';
import { kubeErrorMessage } from '../../api/backends/kubernetes/kube-api-errors.ts';
import { compileWizardConfig } from '../../api/compiler/compile-wizard-config.ts';
import { WizardConfig } from '../../api/schemas/wizard-config.ts';
import { runtimeFinalizer } from '../../crds/cloud-agent.ts';
import { OrgRuntimeSettings } from '../../operator/config/org-runtime-settings.ts';
import { createKubeClient, type KubeClient } from '../../operator/kube/kube-client.ts';
import { cloudAgentPath } from '../../operator/kube/object-path.ts';
import type { CloudAgent } from '../../operator/reconcile/cloud-agent-status.ts';
import { createOrgReconciler } from '../../operator/reconcile/reconcile-org.ts';
import { applyCrds } from '../support/apply-crds.ts';
import { apiIdentityFromChart, operatorIdentityFromChart } from '../support/chart-identity.ts';
import { createOrgNamespace } from '../support/org-namespace.ts';
import { reconcileOnce } from '../support/reconcile-once.ts';
import { snapshotOrgView } from '../support/snapshot-org-view.ts';
import { testKubeConfig } from '../support/test-kube.ts';

// The Cloud API creates CloudAgents with the operator's finalizer already on (one write less per
// agent on a cold start), under its own server-side apply field manager. The operator must still
// be the one that takes it off, whoever owns the entry. Both act with the chart's RBAC.

const hold = 'test.astromesh.io/hold';

describe("the operator's finalizer on CloudAgents", () => {
  let kubeConfig: KubeConfig;
  let admin: KubeClient;
  let operator: KubeClient;
  let api: CloudAgentsClient;

  beforeAll(async () => {
    kubeConfig = testKubeConfig();
    await applyCrds(kubeConfig);
    admin = createKubeClient(kubeConfig);
    operator = createKubeClient((await operatorIdentityFromChart(kubeConfig)).kubeConfig);
    api = createCloudAgentsClient((await apiIdentityFromChart(kubeConfig)).kubeConfig);
  });

  const read = (namespace: string, name: string) =>
    admin.call<CloudAgent>({ method: 'GET', path: cloudAgentPath(namespace, name) });
  const aCloudAgentAsTheApiWritesIt = (namespace: string, orgSlug: string, name: string) =>
    buildCloudAgent({
      namespace,
      orgSlug,
      paused: false,
      agent: compileWizardConfig({
        orgSlug,
        config: WizardConfig.parse({ name, step1: { model: 'openai/gpt-4o-mini' } }),
      }),
    });
  const managersOf = (agent: CloudAgent) => (agent.metadata?.managedFields ?? []).map((entry) => entry.manager);
  const addHold = (namespace: string, name: string) =>
    admin.jsonPatch(cloudAgentPath(namespace, name), [{ op: 'add', path: '/metadata/finalizers/-', value: hold }]);

  it('writes nothing for the finalizer of a CloudAgent the Cloud API created, and takes it off once it is deleted', async () => {
    const { namespace, orgSlug } = await createOrgNamespace(kubeConfig);
    await api.apply(aCloudAgentAsTheApiWritesIt(namespace, orgSlug, 'support'));

    await reconcileOnce(operator, namespace);

    const served = await read(namespace, 'support');
    expect(served.metadata?.finalizers).toEqual([runtimeFinalizer]);
    expect(served.status?.phase).toBe('Deploying');
    expect(managersOf(served)).not.toContain('astromesh-operator-finalizer');

    await api.delete(namespace, 'support');
    await reconcileOnce(operator, namespace);

    await expect(read(namespace, 'support')).rejects.toMatchObject({ statusCode: 404 });
  });

  it("leaves others' finalizers, and a later apply of the Cloud API cannot put its own back on the deleted CloudAgent", async () => {
    const { namespace, orgSlug } = await createOrgNamespace(kubeConfig);
    const cloudAgent = aCloudAgentAsTheApiWritesIt(namespace, orgSlug, 'support');
    await api.apply(cloudAgent);
    await addHold(namespace, 'support');
    await reconcileOnce(operator, namespace);
    await api.delete(namespace, 'support');
    await reconcileOnce(operator, namespace);
    expect((await read(namespace, 'support')).metadata?.finalizers).toEqual([hold]);

    const reapplied = await api.apply(cloudAgent).then(
      () => 'applied',
      (err: unknown) => err,
    );

    expect(kubeErrorMessage(reapplied)).toContain('no new finalizers can be added if the object is being deleted');
    const deleting = await read(namespace, 'support');
    expect(deleting.metadata?.deletionTimestamp).toBeDefined();
    expect(deleting.metadata?.finalizers).toEqual([hold]);
  });

  it('adds the finalizer to a CloudAgent written by hand without it', async () => {
    const { namespace, orgSlug } = await createOrgNamespace(kubeConfig);
    const byHand = aCloudAgentAsTheApiWritesIt(namespace, orgSlug, 'support');
    byHand.metadata.finalizers = undefined;
    await admin.call({ method: 'POST', path: cloudAgentPath(namespace), body: byHand });

    await reconcileOnce(operator, namespace);

    expect((await read(namespace, 'support')).metadata?.finalizers).toEqual([runtimeFinalizer]);
  });

  it('finds a deleted CloudAgent already gone when it comes to take its finalizer off: no error, nothing logged', async () => {
    const { namespace, orgSlug } = await createOrgNamespace(kubeConfig);
    await api.apply(aCloudAgentAsTheApiWritesIt(namespace, orgSlug, 'support'));
    await api.delete(namespace, 'support');
    // The informers' view still holds it, terminating, when someone else lets it go.
    const view = await snapshotOrgView(operator, namespace);
    await admin.jsonPatch(cloudAgentPath(namespace, 'support'), [{ op: 'remove', path: '/metadata/finalizers/0' }]);
    await expect(read(namespace, 'support')).rejects.toMatchObject({ statusCode: 404 });
    const logLines: string[] = [];
    const log = pino(
      { level: 'info' },
      new Writable({
        write(chunk, _encoding, done) {
          logLines.push(String(chunk));
          done();
        },
      }),
    );
    const reconcileOrg = createOrgReconciler({
      kube: operator,
      view,
      settings: OrgRuntimeSettings.parse({ image: 'ghcr.io/astromesh/astromesh-cloud:0.1.0' }),
      recordEvent: async () => undefined,
      now: () => new Date(),
      log,
    });

    await expect(reconcileOrg(namespace)).resolves.toEqual({});

    expect(logLines).toEqual([]);
  });
});

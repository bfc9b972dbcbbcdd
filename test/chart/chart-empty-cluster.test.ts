import { ApiextensionsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloudAgentCrdName } from '../../crds/build-cloud-agent-crd.ts';
import { aCloudAgent } from '../support/a-cloud-agent.ts';
import { eventually } from '../support/eventually.ts';
import { chartDir, runHelm } from '../support/helm-chart.ts';
import { type RunningControlPlane, startKubeControlPlane } from '../support/start-kube-control-plane.ts';

// The first install on a cluster that has never seen Astromesh: Helm itself must create the
// CloudAgent CRD from crds/. The shared test API server already has the CRD (other files apply
// it), so this file starts a control plane of its own.

describe('helm install on an empty cluster', () => {
  let controlPlane: RunningControlPlane;
  let admin: KubeConfig;
  const helm = (args: string[]) => runHelm(args, { kubeconfigPath: controlPlane.kubeconfigPath });

  beforeAll(async () => {
    controlPlane = await startKubeControlPlane();
    admin = new KubeConfig();
    admin.loadFromFile(controlPlane.kubeconfigPath);
  }, 120_000);

  afterAll(async () => {
    await controlPlane?.stop();
  });

  it('creates the CloudAgent CRD from crds/, and leaves it (and its CloudAgents) on uninstall', async () => {
    await admin.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'astromesh-system' } } });

    await helm(['install', 'astromesh', chartDir, '--namespace', 'astromesh-system']);

    const extensions = admin.makeApiClient(ApiextensionsV1Api);
    await eventually(async () => {
      const crd = await extensions.readCustomResourceDefinition({ name: cloudAgentCrdName });
      expect(crd.status?.conditions?.find((condition) => condition.type === 'Established')?.status).toBe('True');
    });
    const crd = await extensions.readCustomResourceDefinition({ name: cloudAgentCrdName });
    // Exactly the CRD of crds/ (one source): its printer columns and CEL rules came along.
    expect(crd.spec.names).toMatchObject({ kind: 'CloudAgent', shortNames: ['cagent'] });
    expect(crd.spec.versions[0]?.additionalPrinterColumns?.map((column) => column.name)).toEqual([
      'Org',
      'Agent',
      'Model',
      'Version',
      'Phase',
      'Ready',
      'Reason',
      'Age',
    ]);

    const customObjects = admin.makeApiClient(CustomObjectsApi);
    const cloudAgent = {
      group: 'astromesh.io',
      version: 'v1alpha1',
      plural: 'cloudagents',
      namespace: 'astromesh-system',
    };
    await customObjects.createNamespacedCustomObject({
      ...cloudAgent,
      body: aCloudAgent({ namespace: 'astromesh-system' }),
    });

    await helm(['uninstall', 'astromesh', '--namespace', 'astromesh-system']);

    // Helm never deletes a CRD of crds/: deleting it would delete every org's CloudAgents.
    await expect(extensions.readCustomResourceDefinition({ name: cloudAgentCrdName })).resolves.toBeDefined();
    await expect(
      customObjects.getNamespacedCustomObject({ ...cloudAgent, name: 'support-bot' }),
    ).resolves.toBeDefined();
  }, 120_000);
});

import {
  ApiextensionsV1Api,
  AppsV1Api,
  CoreV1Api,
  type KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
} from '@kubernetes/client-node';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { cloudAgentCrdName } from '../../crds/build-cloud-agent-crd.ts';
import { applyCrds } from '../support/apply-crds.ts';
import { eventually } from '../support/eventually.ts';
import { chartDir, parseManifests, runHelm, uniqueReleaseName } from '../support/helm-chart.ts';
import { createTestNamespace, testKubeConfig } from '../support/test-kube.ts';

// `helm install` against the shared test API server. No pods run there (no kubelet): these tests
// check the objects, what `lookup` keeps, and what uninstall leaves. Every test installs a release
// of its own into a namespace of its own; the ClusterRoles carry the release name.

let admin: KubeConfig;
beforeAll(async () => {
  admin = testKubeConfig();
  // The CRD is shared by every test file (applied with server-side apply); the chart must
  // leave it alone, as Helm leaves a CRD of crds/ that already exists.
  await applyCrds(admin);
});

const helm = (args: string[]) => runHelm(args, { kubeconfigPath: inject('kubeconfigPath') });

async function install(options: { set?: string[] } = {}) {
  const namespace = await createTestNamespace(admin, 'chart');
  const release = uniqueReleaseName();
  const { stdout } = await helm([
    'install',
    release,
    chartDir,
    '--namespace',
    namespace,
    ...(options.set ?? []).flatMap((assignment) => ['--set', assignment]),
  ]);
  const manifest = parseManifests((await helm(['get', 'manifest', release, '--namespace', namespace])).stdout);
  return { namespace, release, notes: stdout, manifest };
}

async function exists(object: KubernetesObject): Promise<boolean> {
  try {
    await KubernetesObjectApi.makeApiClient(admin).read({
      apiVersion: object.apiVersion ?? '',
      kind: object.kind ?? '',
      metadata: { name: object.metadata?.name ?? '', namespace: object.metadata?.namespace },
    });
    return true;
  } catch (err) {
    if ((err as { code?: number }).code === 404) return false;
    throw err;
  }
}

async function secretData(namespace: string, name: string): Promise<Record<string, string>> {
  return (await admin.makeApiClient(CoreV1Api).readNamespacedSecret({ namespace, name })).data ?? {};
}

const describeObject = (object: KubernetesObject) => `${object.kind} ${object.metadata?.name}`;

describe('helm install of the chart on the test API server', () => {
  it('creates every object it renders, and leaves the CloudAgent CRD that already exists as it was', async () => {
    const { manifest, notes, release } = await install();

    const missing: string[] = [];
    for (const object of manifest) if (!(await exists(object))) missing.push(describeObject(object));
    const crd = await admin.makeApiClient(ApiextensionsV1Api).readCustomResourceDefinition({ name: cloudAgentCrdName });

    expect(missing).toEqual([]);
    expect(manifest.map((object) => object.kind).sort()).toEqual([
      'ClusterRole',
      'ClusterRole',
      'ClusterRoleBinding',
      'ClusterRoleBinding',
      'ConfigMap',
      'ConfigMap',
      'Deployment',
      'Deployment',
      'NetworkPolicy',
      'NetworkPolicy',
      'NetworkPolicy',
      'PodDisruptionBudget',
      'PodDisruptionBudget',
      'Role',
      'RoleBinding',
      'Secret',
      'Secret',
      'Service',
      'Service',
      'Service',
      'ServiceAccount',
      'ServiceAccount',
      'StatefulSet',
    ]);
    expect(crd.metadata?.annotations?.['meta.helm.sh/release-name']).toBeUndefined();
    expect(crd.metadata?.managedFields?.map((entry) => entry.manager)).not.toContain('helm');
    expect(notes).toContain(`release ${release}`);
    expect(notes).toContain(`port-forward service/${release}-astromesh-cloud-api 8080:80`);
    expect(notes).toContain('EVALUATION ONLY');
    expect(notes).not.toContain('api.devLogin=true');
  });

  it('keeps the generated keys and database password across an upgrade that changes values', async () => {
    const { namespace, release } = await install();
    const prefix = `${release}-astromesh-cloud`;
    const apps = admin.makeApiClient(AppsV1Api);
    const keysBefore = await secretData(namespace, `${prefix}-keys`);
    const postgresBefore = await secretData(namespace, `${prefix}-postgresql`);
    const operatorBefore = await apps.readNamespacedDeployment({ namespace, name: `${prefix}-operator` });

    await helm([
      'upgrade',
      release,
      chartDir,
      '--namespace',
      namespace,
      '--set',
      'api.replicas=3',
      '--set',
      'runtime.runtimeClassName=gvisor',
    ]);

    const api = await apps.readNamespacedDeployment({ namespace, name: `${prefix}-api` });
    const operator = await apps.readNamespacedDeployment({ namespace, name: `${prefix}-operator` });
    const settings = await admin
      .makeApiClient(CoreV1Api)
      .readNamespacedConfigMap({ namespace, name: `${prefix}-runtime-settings` });
    const checksum = (deployment: typeof operator) =>
      deployment.spec?.template.metadata?.annotations?.['checksum/runtime-settings'];

    expect(await secretData(namespace, `${prefix}-keys`)).toEqual(keysBefore);
    expect(await secretData(namespace, `${prefix}-postgresql`)).toEqual(postgresBefore);
    expect(Object.keys(keysBefore).sort()).toEqual(['jwt-secret', 'master-key']);
    expect(api.spec?.replicas).toBe(3);
    expect(settings.data?.['runtime-settings.yaml']).toContain('runtimeClassName: gvisor');
    expect(checksum(operator)).not.toBe(checksum(operatorBefore));
  });

  it('removes what it made on uninstall, except the kept Secrets, the CRD and the namespace; a reinstall adopts the Secrets', async () => {
    const { namespace, release, manifest } = await install();
    const prefix = `${release}-astromesh-cloud`;
    const kept = [`${prefix}-keys`, `${prefix}-postgresql`].map((name) => `Secret ${name}`);
    const keys = await secretData(namespace, `${prefix}-keys`);

    const { stdout } = await helm(['uninstall', release, '--namespace', namespace]);

    await eventually(async () => {
      const remaining: string[] = [];
      for (const object of manifest) if (await exists(object)) remaining.push(describeObject(object));
      expect(remaining.sort()).toEqual(kept.sort());
    });
    expect(stdout).toContain('These resources were kept due to the resource policy');
    expect(await exists({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } })).toBe(true);
    expect(
      await exists({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: cloudAgentCrdName },
      }),
    ).toBe(true);

    await helm(['install', release, chartDir, '--namespace', namespace]);

    expect(await secretData(namespace, `${prefix}-keys`)).toEqual(keys);
  });
});

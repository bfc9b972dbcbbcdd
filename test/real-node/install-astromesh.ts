import { AppsV1Api, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { chartDir, runHelm, writeValuesFile } from '../support/helm-chart.ts';
import { waitUntilQuotaCountsCloudAgents } from '../support/wait-until-quota-counts-cloud-agents.ts';

/** What the suites of the real node need to know about the installed release. */
export const release = {
  name: 'astromesh-cloud',
  namespace: 'astromesh-system',
  /** `<release>-<component>`: the chart names every object so (fullname = the release name here). */
  apiService: 'astromesh-cloud-api',
  apiDeployment: 'astromesh-cloud-api',
  operatorDeployment: 'astromesh-cloud-operator',
  postgresqlStatefulSet: 'astromesh-cloud-postgresql',
  /** Where the fake model provider listens inside the node: an address of its own, so "a runtime
   * cannot reach the node" and "a runtime reaches the provider" are about different addresses. */
  providerAddress: '10.250.0.10',
  providerPort: 9100,
  /** A fake cloud metadata server, which runtimes must not reach. */
  metadataAddress: '169.254.169.254',
  /** Where the bundled PostgreSQL keeps its data on the node (a hostPath PV: the node has no provisioner). */
  postgresqlDataDir: '/run/astromesh-node/volumes/postgresql',
} as const;

export interface ImageReferences {
  product: string;
  postgres: string;
}

/** The values an admin with these images would give: nothing test-only but dev login and the egress to the fake provider. */
export function installValues(
  images: ImageReferences,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const [repository, tag] = splitReference(images.product);
  const [postgresRepository, postgresTag] = splitReference(images.postgres);
  return deepMerge(
    {
      image: { repository, tag, pullPolicy: 'IfNotPresent' },
      api: { devLogin: true, deployTimeoutSeconds: 120 },
      operator: { replicas: 2 },
      runtime: {
        egressAllow: [{ cidr: `${release.providerAddress}/32`, port: release.providerPort }],
      },
      database: {
        bundled: {
          image: { repository: postgresRepository, tag: postgresTag, pullPolicy: 'IfNotPresent' },
          persistence: { enabled: true, size: '1Gi' },
        },
      },
    },
    overrides,
  );
}

/** `helm install --wait` of the chart as the release, with the install's ordinary values. */
export async function helmInstallRelease(params: { kubeconfigPath: string; images: ImageReferences }): Promise<void> {
  await runHelm(
    [
      'install',
      release.name,
      chartDir,
      '--namespace',
      release.namespace,
      '--create-namespace',
      '--values',
      writeValuesFile(installValues(params.images)),
      '--wait',
      '--timeout',
      '6m',
    ],
    { kubeconfigPath: params.kubeconfigPath },
  );
}

/**
 * Installs the chart as an admin would, `helm install --wait`, after giving the node what any
 * cluster has and this one lacks: a PersistentVolume for the bundled PostgreSQL's claim (no
 * provisioner runs here). Resolves once the API, the operator and PostgreSQL are Ready.
 */
export async function installAstromesh(params: {
  kubeconfigPath: string;
  exec: (command: string) => Promise<{ stdout: string; stderr: string; code: number }>;
  images: ImageReferences;
}): Promise<void> {
  const { kubeconfigPath, exec, images } = params;
  const prepared = await exec(
    `mkdir -p ${release.postgresqlDataDir} && chown 999:999 ${release.postgresqlDataDir} && chmod 0700 ${release.postgresqlDataDir}`,
  );
  if (prepared.code !== 0) throw new Error(`cannot prepare the PostgreSQL volume: ${prepared.stderr}`);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  await kubeConfig.makeApiClient(CoreV1Api).createPersistentVolume({
    body: {
      metadata: { name: 'astromesh-postgresql-data' },
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Retain',
        hostPath: { path: release.postgresqlDataDir, type: 'Directory' },
      },
    },
  });
  await helmInstallRelease({ kubeconfigPath, images });
  await waitForRollout(kubeConfig);
  // Until kube-controller-manager's quota controller has discovered the CloudAgent CRD (it scans
  // every 30 s; here it took over 40 s once), org quotas refuse CloudAgents. The API retries that
  // refusal for a while; an install that is to be used at once waits for it, as an admin's would.
  await waitUntilQuotaCountsCloudAgents(kubeConfig);
}

/** `helm --wait` returns once pods are Ready; this also checks the Deployments' own view. */
async function waitForRollout(kubeConfig: KubeConfig): Promise<void> {
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  for (const name of [release.apiDeployment, release.operatorDeployment]) {
    const deployment = await apps.readNamespacedDeployment({ namespace: release.namespace, name });
    const wanted = deployment.spec?.replicas ?? 1;
    if ((deployment.status?.readyReplicas ?? 0) < wanted) {
      throw new Error(
        `${name}: ${deployment.status?.readyReplicas ?? 0} of ${wanted} replicas ready after helm --wait`,
      );
    }
  }
}

function splitReference(reference: string): [string, string] {
  const colon = reference.lastIndexOf(':');
  if (colon <= reference.lastIndexOf('/')) throw new Error(`image reference ${reference} has no tag`);
  return [reference.slice(0, colon), reference.slice(colon + 1)];
}

function deepMerge(base: Record<string, unknown>, overrides: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overrides)) {
    const current = merged[key];
    merged[key] =
      isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : (value as Record<string, unknown>);
  }
  return merged;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

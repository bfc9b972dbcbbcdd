import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  AuthorizationV1Api,
  CoreV1Api,
  KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  loadAllYaml,
  PatchStrategy,
  type V1PolicyRule,
} from '@kubernetes/client-node';
import { locateTestBinaries } from '../binaries/locate-test-binaries.ts';
import { eventually } from './eventually.ts';

const run = promisify(execFile);
const chartDir = join(import.meta.dirname, '..', '..', 'charts', 'astromesh-cloud');

export interface ChartServiceAccount {
  /** A TokenRequest token of the chart's ServiceAccount. */
  token: string;
  /** A client config that acts as that ServiceAccount: only the chart's RBAC applies. */
  kubeConfig: KubeConfig;
  serviceAccount: string;
  /** What the template rendered and the test applied (ServiceAccount, roles, bindings). */
  objects: KubernetesObject[];
}

/**
 * Renders one RBAC template of the Helm chart (`helm template --show-only`), applies it as an
 * admin, and returns a token of the ServiceAccount it defines: tests then run with exactly the
 * permissions the chart grants. Each call renders a release of its own, so the cluster-scoped
 * roles and bindings of test files running in parallel never collide.
 */
export async function serviceAccountTokenFromChart(options: {
  /** An admin config: it applies the rendered objects and requests the token. */
  kubeConfig: KubeConfig;
  /** e.g. `templates/api-rbac.yaml` */
  template: string;
  /** The release namespace, which holds the ServiceAccount; it must exist. */
  namespace: string;
  releaseName?: string;
  /** `--set` values, e.g. `{ 'api.serviceAccount.name': 'cloud-api' }`. */
  values?: Record<string, string>;
  /** Which ServiceAccount, when the template defines more than one. */
  serviceAccount?: string;
  expirationSeconds?: number;
}): Promise<ChartServiceAccount> {
  const binaries = locateTestBinaries();
  const releaseName = options.releaseName ?? `t${randomBytes(4).toString('hex')}`;
  const { stdout } = await run(binaries.helm, [
    'template',
    releaseName,
    chartDir,
    '--kube-version',
    binaries.kubernetesVersion.replace(/^v/, ''),
    '--namespace',
    options.namespace,
    '--show-only',
    options.template,
    ...Object.entries(options.values ?? {}).flatMap(([key, value]) => ['--set', `${key}=${value}`]),
  ]);
  const objects = (loadAllYaml(stdout) as (KubernetesObject | null)[]).filter(
    (object): object is KubernetesObject => object !== null,
  );
  const admin = KubernetesObjectApi.makeApiClient(options.kubeConfig);
  for (const object of objects) {
    await admin.patch(object, undefined, undefined, 'astromesh-cloud-tests', true, PatchStrategy.ServerSideApply);
  }

  const accounts = objects.filter((object) => object.kind === 'ServiceAccount');
  const account = options.serviceAccount
    ? accounts.find((object) => object.metadata?.name === options.serviceAccount)
    : accounts.length === 1
      ? accounts[0]
      : undefined;
  const serviceAccount = account?.metadata?.name;
  if (!serviceAccount) {
    throw new Error(`${options.template} defines ${accounts.length} ServiceAccounts; name the one to use`);
  }
  const tokenRequest = await options.kubeConfig.makeApiClient(CoreV1Api).createNamespacedServiceAccountToken({
    namespace: account.metadata?.namespace ?? options.namespace,
    name: serviceAccount,
    body: { spec: { audiences: [], expirationSeconds: options.expirationSeconds ?? 3600 } },
  });
  const token = tokenRequest.status?.token;
  if (!token) throw new Error(`no token was issued for ServiceAccount ${serviceAccount}`);
  const kubeConfig = asTokenHolder(options.kubeConfig, token);
  await waitUntilRbacApplies(kubeConfig, objects);
  return { token, kubeConfig, serviceAccount, objects };
}

/** A client config for the admin's cluster (the one that issued the token), as the token's holder. */
function asTokenHolder(admin: KubeConfig, token: string): KubeConfig {
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error('the admin kubeconfig has no current cluster');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromClusterAndUser(cluster, { name: 'token-holder', token });
  return kubeConfig;
}

/** The authorizer learns of new bindings through its informers: wait until the first rule holds. */
async function waitUntilRbacApplies(kubeConfig: KubeConfig, objects: KubernetesObject[]): Promise<void> {
  const role = objects.find((object) => object.kind === 'ClusterRole' || object.kind === 'Role') as
    | (KubernetesObject & { rules?: V1PolicyRule[] })
    | undefined;
  const rule = role?.rules?.[0];
  if (!rule) return;
  const authorization = kubeConfig.makeApiClient(AuthorizationV1Api);
  await eventually(async () => {
    const review = await authorization.createSelfSubjectAccessReview({
      body: {
        spec: {
          resourceAttributes: {
            group: rule.apiGroups?.[0] ?? '',
            resource: rule.resources?.[0],
            verb: rule.verbs[0],
            name: rule.resourceNames?.[0],
            namespace: role?.kind === 'Role' ? role.metadata?.namespace : undefined,
          },
        },
      },
    });
    if (!review.status?.allowed) throw new Error(`the RBAC of ${role?.metadata?.name} does not apply yet`);
  });
}

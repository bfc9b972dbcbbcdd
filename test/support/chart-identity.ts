import type { KubeConfig } from '@kubernetes/client-node';
import { type ChartServiceAccount, serviceAccountTokenFromChart } from './chart-rbac.ts';
import { createTestNamespace } from './test-kube.ts';

/**
 * A component as the chart installs it: a fresh release namespace holding its ServiceAccount,
 * and a client config that acts with exactly the chart's RBAC for it, never as an admin.
 */
async function identityFromChart(
  admin: KubeConfig,
  template: string,
  values?: Record<string, string>,
): Promise<ChartServiceAccount & { releaseNamespace: string }> {
  const releaseNamespace = await createTestNamespace(admin, 'astromesh-system');
  const identity = await serviceAccountTokenFromChart({
    kubeConfig: admin,
    template,
    namespace: releaseNamespace,
    values,
  });
  return { ...identity, releaseNamespace };
}

/** The operator with the chart's operator RBAC; `values` are `--set` values, e.g. runtime pull Secrets. */
export const operatorIdentityFromChart = (admin: KubeConfig, values?: Record<string, string>) =>
  identityFromChart(admin, 'templates/operator-rbac.yaml', values);

/** The Cloud API's Kubernetes backend with the chart's API RBAC. */
export const apiIdentityFromChart = (admin: KubeConfig) => identityFromChart(admin, 'templates/api-rbac.yaml');

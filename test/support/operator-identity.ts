import type { KubeConfig } from '@kubernetes/client-node';
import { type ChartServiceAccount, serviceAccountTokenFromChart } from './chart-rbac.ts';
import { createTestNamespace } from './test-kube.ts';

/**
 * The operator as the chart installs it: a fresh release namespace holding its ServiceAccount,
 * and a client config that acts with exactly the chart's operator RBAC, never as an admin.
 */
export async function operatorIdentityFromChart(
  admin: KubeConfig,
  /** `--set` values, e.g. `{ 'runtime.imagePullSecrets[0].name': 'regcred' }`. */
  values?: Record<string, string>,
): Promise<ChartServiceAccount & { releaseNamespace: string }> {
  const releaseNamespace = await createTestNamespace(admin, 'astromesh-system');
  const identity = await serviceAccountTokenFromChart({
    kubeConfig: admin,
    template: 'templates/operator-rbac.yaml',
    namespace: releaseNamespace,
    values,
  });
  return { ...identity, releaseNamespace };
}

import type { CoreV1Api } from '@kubernetes/client-node';
import { orgLabel, orgNamespaceOf } from '../../../crds/org-runtime-names.ts';
import { kubeStatusOf } from './kube-api-errors.ts';
import { retryThrottled } from './retry-throttled.ts';

/**
 * Creates the org's namespace when it is missing. Create only, never patch: the operator owns
 * the namespace's Pod Security labels, and the API's RBAC allows namespaces get and create only.
 */
export async function ensureOrgNamespace(core: CoreV1Api, orgSlug: string): Promise<string> {
  const name = orgNamespaceOf(orgSlug);
  try {
    const labels = { [orgLabel]: orgSlug, 'app.kubernetes.io/managed-by': 'astromesh-cloud' };
    await retryThrottled(() => core.createNamespace({ body: { metadata: { name, labels } } }));
  } catch (err) {
    if (kubeStatusOf(err) !== 409) throw err;
  }
  return name;
}

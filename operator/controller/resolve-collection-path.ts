import type { V1APIResourceList } from '@kubernetes/client-node';
import type { KubeAccess } from '../kube/kube-access.ts';
import { getKubeJson } from './kube-request.ts';

/**
 * The URL path of a collection, e.g. `/apis/astromesh.io/v1alpha1/namespaces/team-a/cloudagents`.
 * Without `plural`, asks the server's discovery for the resource of `kind`, which also tells
 * whether it is namespaced; it fails while the kind is unknown (a CRD not installed yet).
 */
export async function resolveCollectionPath(request: {
  kubeConfig: KubeAccess;
  apiVersion: string;
  kind: string;
  plural?: string;
  namespace?: string;
  signal?: AbortSignal;
}): Promise<string> {
  const groupVersionPath = `${request.apiVersion.includes('/') ? '/apis' : '/api'}/${request.apiVersion}`;
  let plural = request.plural;
  let isNamespaced = request.namespace !== undefined;
  if (plural === undefined) {
    const discovery = await getKubeJson<V1APIResourceList>({
      kubeConfig: request.kubeConfig,
      path: groupVersionPath,
      signal: request.signal,
    });
    // Subresources (`configmaps/status`) share the kind; the collection is the one without a slash.
    const resource = discovery.resources.find((r) => r.kind === request.kind && !r.name.includes('/'));
    if (!resource) throw new Error(`the API server serves no ${request.kind} in ${request.apiVersion}`);
    plural = resource.name;
    isNamespaced = resource.namespaced;
  }
  if (request.namespace !== undefined && isNamespaced) {
    return `${groupVersionPath}/namespaces/${encodeURIComponent(request.namespace)}/${plural}`;
  }
  return `${groupVersionPath}/${plural}`;
}

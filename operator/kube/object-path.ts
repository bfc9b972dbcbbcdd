import type { KubernetesObject } from '@kubernetes/client-node';

// The kinds the operator writes, by `apiVersion/kind`: their REST plural and whether they live in
// a namespace. A closed table on purpose: a kind missing here is a programming error, not a lookup.
const kinds: Record<string, { plural: string; namespaced: boolean }> = {
  'v1/Namespace': { plural: 'namespaces', namespaced: false },
  'v1/ServiceAccount': { plural: 'serviceaccounts', namespaced: true },
  'v1/ResourceQuota': { plural: 'resourcequotas', namespaced: true },
  'v1/LimitRange': { plural: 'limitranges', namespaced: true },
  'v1/ConfigMap': { plural: 'configmaps', namespaced: true },
  'v1/Secret': { plural: 'secrets', namespaced: true },
  'v1/Service': { plural: 'services', namespaced: true },
  'v1/Event': { plural: 'events', namespaced: true },
  'apps/v1/Deployment': { plural: 'deployments', namespaced: true },
  'networking.k8s.io/v1/NetworkPolicy': { plural: 'networkpolicies', namespaced: true },
  'astromesh.io/v1alpha1/CloudAgent': { plural: 'cloudagents', namespaced: true },
  'coordination.k8s.io/v1/Lease': { plural: 'leases', namespaced: true },
};

/** `/api/v1/namespaces/ns/configmaps` (collection) or `…/configmaps/name` (object). */
export function objectPath(input: {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}): string {
  const kind = kinds[`${input.apiVersion}/${input.kind}`];
  if (!kind) throw new Error(`the operator does not know the kind ${input.apiVersion}/${input.kind}`);
  const root = input.apiVersion.includes('/') ? `/apis/${input.apiVersion}` : `/api/${input.apiVersion}`;
  if (kind.namespaced && !input.namespace) throw new Error(`${input.kind} ${input.name ?? ''} needs a namespace`);
  const scope = kind.namespaced ? `/namespaces/${encodeURIComponent(input.namespace ?? '')}` : '';
  const name = input.name ? `/${encodeURIComponent(input.name)}` : '';
  const subresource = input.name && input.subresource ? `/${input.subresource}` : '';
  return `${root}${scope}/${kind.plural}${name}${subresource}`;
}

/** The path of an object as it is (for apply, read, delete). */
export const pathOf = (object: KubernetesObject, subresource?: string): string =>
  objectPath({
    apiVersion: object.apiVersion ?? '',
    kind: object.kind ?? '',
    namespace: object.metadata?.namespace,
    name: object.metadata?.name,
    subresource,
  });

/** One CloudAgent, or without a name the CloudAgents of a namespace. */
export const cloudAgentPath = (namespace: string, name?: string): string =>
  objectPath({ apiVersion: 'astromesh.io/v1alpha1', kind: 'CloudAgent', namespace, name });

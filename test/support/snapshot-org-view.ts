import type { V1Namespace, V1Secret } from '@kubernetes/client-node';
import { orgLabel, orgSecretName } from '../../crds/org-runtime-names.ts';
import { isNotFound, type KubeClient } from '../../operator/kube/kube-client.ts';
import { cloudAgentPath, objectPath } from '../../operator/kube/object-path.ts';
import type { CloudAgent } from '../../operator/reconcile/cloud-agent-status.ts';
import type { OrgView } from '../../operator/reconcile/reconcile-org.ts';

/**
 * What the operator's informers would hold for one namespace, read once from the API server: lets
 * a test drive one reconcile at a time, with no informer or queue in between.
 */
export async function snapshotOrgView(
  kube: KubeClient,
  namespace: string,
  pullSecretsFrom?: { namespace: string; names: string[] },
): Promise<OrgView> {
  const orNothing = <T>(read: Promise<T>) =>
    read.catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
  const [ns, agents, secret] = await Promise.all([
    orNothing(
      kube.call<V1Namespace>({
        method: 'GET',
        path: objectPath({ apiVersion: 'v1', kind: 'Namespace', name: namespace }),
      }),
    ),
    kube.call<{ items: CloudAgent[] }>({
      method: 'GET',
      path: cloudAgentPath(namespace),
    }),
    orNothing(
      kube.call<V1Secret>({
        method: 'GET',
        path: objectPath({ apiVersion: 'v1', kind: 'Secret', namespace, name: orgSecretName }),
      }),
    ),
  ]);
  const pullSecrets = (
    await Promise.all(
      (pullSecretsFrom?.names ?? []).map((name) =>
        orNothing(
          kube.call<V1Secret>({
            method: 'GET',
            path: objectPath({ apiVersion: 'v1', kind: 'Secret', namespace: pullSecretsFrom?.namespace, name }),
          }),
        ),
      ),
    )
  ).flatMap((secret) => (secret ? [secret] : []));
  const items = agents.items.map((agent) => ({ apiVersion: 'astromesh.io/v1alpha1', kind: 'CloudAgent', ...agent }));
  return {
    orgNamespace: (name) => (name === namespace && ns?.metadata?.labels?.[orgLabel] ? ns : undefined),
    cloudAgents: (name) => (name === namespace ? items : []),
    orgSecret: (name) => (name === namespace ? secret : undefined),
    pullSecrets: () => pullSecrets,
  };
}

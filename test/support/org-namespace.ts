import { randomBytes } from 'node:crypto';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { dump } from 'js-yaml';
import { orgLabel, orgNamespaceOf, orgSecretKeys, orgSecretName } from '../../crds/org-runtime-names.ts';

/**
 * An org namespace as the Cloud API's Kubernetes backend creates it: labelled with a fresh org
 * slug, and (unless told otherwise) holding the org Secret with provider keys and a runtime token.
 */
export async function createOrgNamespace(
  kubeConfig: KubeConfig,
  options: {
    orgSlug?: string;
    withSecret?: boolean;
    credentials?: Record<string, string>;
    /** Extra namespace labels, e.g. the shard an operator under test selects. */
    labels?: Record<string, string>;
  } = {},
): Promise<{ orgSlug: string; namespace: string; runtimeToken: string }> {
  const orgSlug = options.orgSlug ?? `org-${randomBytes(4).toString('hex')}`;
  const namespace = orgNamespaceOf(orgSlug);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  await core.createNamespace({
    body: {
      metadata: {
        name: namespace,
        labels: { ...options.labels, [orgLabel]: orgSlug, 'app.kubernetes.io/managed-by': 'astromesh-cloud' },
      },
    },
  });
  const runtimeToken = randomBytes(32).toString('base64url');
  if (options.withSecret !== false) {
    await writeOrgSecret(kubeConfig, {
      namespace,
      runtimeToken,
      credentials: options.credentials ?? { OPENAI_API_KEY: 'sk-test' },
    });
  }
  return { orgSlug, namespace, runtimeToken };
}

export async function writeOrgSecret(
  kubeConfig: KubeConfig,
  input: { namespace: string; runtimeToken: string; credentials: Record<string, string> },
): Promise<void> {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const body = {
    metadata: { name: orgSecretName, namespace: input.namespace },
    stringData: {
      [orgSecretKeys.credentials]: dump(input.credentials),
      [orgSecretKeys.runtimeToken]: input.runtimeToken,
    },
  };
  try {
    await core.createNamespacedSecret({ namespace: input.namespace, body });
  } catch {
    await core.replaceNamespacedSecret({ name: orgSecretName, namespace: input.namespace, body });
  }
}

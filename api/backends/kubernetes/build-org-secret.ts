import type { V1Secret } from '@kubernetes/client-node';
import { dump } from 'js-yaml';
import { orgLabel, orgSecretKeys, orgSecretName } from '../../../crds/org-runtime-names.ts';

/**
 * The org's runtime Secret: its provider credentials, the token the runtime requires and, with
 * durable memory, the URL of its own database role. `data` rather than `stringData`: server-side
 * apply tracks `data` keys, so a key left out (memory turned off) is removed.
 */
export function buildOrgSecret(input: {
  namespace: string;
  orgSlug: string;
  credentials: Record<string, string>;
  runtimeToken: string;
  memoryUrl?: string;
}): V1Secret {
  const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
  // Sorted, so the same credentials always give the same bytes and re-applying changes nothing.
  const credentialsYaml = dump(input.credentials, { sortKeys: true, lineWidth: -1 });
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: orgSecretName, namespace: input.namespace, labels: { [orgLabel]: input.orgSlug } },
    type: 'Opaque',
    data: {
      [orgSecretKeys.credentials]: base64(credentialsYaml),
      [orgSecretKeys.runtimeToken]: base64(input.runtimeToken),
      ...(input.memoryUrl ? { [orgSecretKeys.memoryUrl]: base64(input.memoryUrl) } : {}),
    },
  };
}

import { randomBytes } from 'node:crypto';
import type { CoreV1Api } from '@kubernetes/client-node';
import { orgNamespaceOf, orgSecretKeys, orgSecretName } from '../../../crds/org-runtime-names.ts';
import { kubeStatusOf } from './kube-api-errors.ts';
import { retryThrottled } from './retry-throttled.ts';

/**
 * Each org's runtime token (DESIGN.md decision 9): generated once, kept in the org's Secret, and
 * cached here because endpointOf needs it on every request. The Secret wins over the cache, so
 * API replicas (or a restarted API) converge on the token the runtime actually has.
 */
export function createOrgRuntimeTokens(deps: { core: CoreV1Api }) {
  const cached = new Map<string, string>();

  async function stored(orgSlug: string): Promise<string | undefined> {
    try {
      const secret = await retryThrottled(() =>
        deps.core.readNamespacedSecret({ name: orgSecretName, namespace: orgNamespaceOf(orgSlug) }),
      );
      const encoded = secret.data?.[orgSecretKeys.runtimeToken];
      return encoded ? Buffer.from(encoded, 'base64').toString('utf8') : undefined;
    } catch (err) {
      if (kubeStatusOf(err) === 404) return undefined;
      throw err;
    }
  }

  return {
    /**
     * The token to write into the org's Secret: the one it holds, else the one this process knew
     * (the Secret was deleted by hand), else a new one.
     */
    async tokenToApply(orgSlug: string): Promise<string> {
      const token = (await stored(orgSlug)) ?? cached.get(orgSlug) ?? randomBytes(32).toString('base64url');
      cached.set(orgSlug, token);
      return token;
    },

    /** The org's token for calling its runtime; undefined while it has no Secret. */
    async tokenOf(orgSlug: string): Promise<string | undefined> {
      const known = cached.get(orgSlug);
      if (known) return known;
      const token = await stored(orgSlug);
      if (token) cached.set(orgSlug, token);
      return token;
    },
  };
}
export type OrgRuntimeTokens = ReturnType<typeof createOrgRuntimeTokens>;

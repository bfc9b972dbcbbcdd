import type pg from 'pg';
import { NotFound } from '../errors.ts';
import type { OrgAccess } from '../http/principal.ts';
import type { SaveProviderKey } from '../schemas/save-provider-key.ts';
import type { CloudProvider } from '../schemas/wizard-config.ts';
import {
  deleteProviderKey,
  listProviderKeys,
  type ProviderKeyRecord,
  upsertProviderKey,
} from '../stores/provider-keys-store.ts';
import { maskSecret } from './mask-secret.ts';
import { applyOrgDeployment, inOrgDeploymentTransaction, type OrgDeploymentDeps } from './org-deployment.ts';
import { sealProviderKey } from './provider-key-seal.ts';
import { resealProviderKeys } from './reseal-provider-keys.ts';
import type { MasterKeyRing } from './seal-secret.ts';

export interface ProviderKeyServiceDeps extends OrgDeploymentDeps {
  masterKeys: MasterKeyRing;
}

/**
 * The org's provider keys (BYOK; seed 003, Provider Keys; DESIGN.md decision 8): sealed with
 * AES-256-GCM before they reach the database, shown only masked. A change reaches the org's
 * runtime without a redeploy: it is applied inside the transaction that stores it, so a runtime
 * that cannot take it leaves the stored keys as they were (and gets them back).
 */
export function createProviderKeyService(deps: ProviderKeyServiceDeps) {
  const { db } = deps;

  async function changeCredentials(access: OrgAccess, change: (client: pg.PoolClient) => Promise<void>) {
    const org = { id: access.orgId, slug: access.orgSlug };
    await inOrgDeploymentTransaction(deps, org, async (client) => {
      await change(client);
      await applyOrgDeployment(client, deps, org);
    });
  }

  return {
    list: (access: OrgAccess): Promise<ProviderKeyRecord[]> => listProviderKeys(db, access.orgId),

    /** Adds the provider's key or replaces it, base URL included. */
    async save(access: OrgAccess, input: SaveProviderKey): Promise<void> {
      const apiKey = input.api_key ?? '';
      const seal = sealProviderKey({ orgId: access.orgId, provider: input.provider, apiKey, keys: deps.masterKeys });
      await changeCredentials(access, async (client) => {
        await upsertProviderKey(client, {
          orgId: access.orgId,
          provider: input.provider,
          seal,
          maskedKey: apiKey === '' ? null : maskSecret(apiKey),
          baseUrl: input.base_url ?? null,
        });
      });
    },

    async remove(access: OrgAccess, provider: CloudProvider): Promise<void> {
      await changeCredentials(access, async (client) => {
        if (!(await deleteProviderKey(client, { orgId: access.orgId, provider }))) {
          throw new NotFound(`provider key '${provider}'`);
        }
      });
    },

    /** See resealProviderKeys: main calls it at startup, after a master-key rotation. */
    resealProviderKeys: () => resealProviderKeys({ db, keys: deps.masterKeys }),
  };
}
export type ProviderKeyService = ReturnType<typeof createProviderKeyService>;

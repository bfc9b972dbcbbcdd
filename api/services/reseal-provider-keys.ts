import type { Database } from '../db/database.ts';
import type { CloudProvider } from '../schemas/wizard-config.ts';
import { listProviderKeysNotSealedWith, replaceProviderKeySeal } from '../stores/provider-keys-store.ts';
import { openProviderKey, sealProviderKey } from './provider-key-seal.ts';
import { type ResealReport, resealSealedSecrets } from './reseal-sealed-secrets.ts';
import type { MasterKeyRing } from './seal-secret.ts';

/** Provider keys sealed with an older master key, resealed under the current one (resealSealedSecrets). */
export async function resealProviderKeys(deps: {
  db: Database;
  keys: MasterKeyRing;
}): Promise<ResealReport<{ orgId: string; provider: CloudProvider; keyId: string }>> {
  return resealSealedSecrets(await listProviderKeysNotSealedWith(deps.db, deps.keys.current.id), {
    open: (record) => openProviderKey(record, deps.keys),
    seal: (record, apiKey) =>
      sealProviderKey({ orgId: record.orgId, provider: record.provider, apiKey, keys: deps.keys }),
    replace: (record, seal) =>
      replaceProviderKeySeal(deps.db, { orgId: record.orgId, provider: record.provider, previous: record.seal, seal }),
    unreadable: (record) => ({ orgId: record.orgId, provider: record.provider, keyId: record.seal.keyId }),
  });
}

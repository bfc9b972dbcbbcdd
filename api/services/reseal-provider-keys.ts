import type { Database } from '../db/database.ts';
import type { CloudProvider } from '../schemas/wizard-config.ts';
import { listProviderKeysNotSealedWith, replaceProviderKeySeal } from '../stores/provider-keys-store.ts';
import { openProviderKey, sealProviderKey } from './provider-key-seal.ts';
import { type MasterKeyRing, SecretUnreadable } from './seal-secret.ts';

export interface ResealReport {
  /** Keys now sealed with the current master key. */
  resealed: number;
  /** Keys sealed with a master key this process does not have: they stay as they are. */
  unreadable: { orgId: string; provider: CloudProvider; keyId: string }[];
}

/**
 * Re-encrypts every provider key sealed with an older master key under the current one, so a
 * rotated-out key can be dropped from the configuration afterwards. Run at startup; safe to run
 * on several replicas at once (each row is swapped only if nobody changed it meanwhile). The
 * plaintext does not change, so no org needs its runtime re-applied.
 */
export async function resealProviderKeys(deps: { db: Database; keys: MasterKeyRing }): Promise<ResealReport> {
  const report: ResealReport = { resealed: 0, unreadable: [] };
  for (const record of await listProviderKeysNotSealedWith(deps.db, deps.keys.current.id)) {
    let apiKey: string;
    try {
      apiKey = openProviderKey(record, deps.keys);
    } catch (err) {
      if (!(err instanceof SecretUnreadable)) throw err;
      report.unreadable.push({ orgId: record.orgId, provider: record.provider, keyId: record.seal.keyId });
      continue;
    }
    const seal = sealProviderKey({ orgId: record.orgId, provider: record.provider, apiKey, keys: deps.keys });
    const isReplaced = await replaceProviderKeySeal(deps.db, {
      orgId: record.orgId,
      provider: record.provider,
      previous: record.seal,
      seal,
    });
    if (isReplaced) report.resealed++;
  }
  return report;
}

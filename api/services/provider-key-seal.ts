import type { CloudProvider } from '../schemas/wizard-config.ts';
import type { ProviderKeyRecord, StoredSeal } from '../stores/provider-keys-store.ts';
import { type MasterKeyRing, openSealedSecret, sealSecret } from './seal-secret.ts';

// The row's identity is sealed in with the key, so a ciphertext copied into another org's row
// (by anyone with write access to the table) does not open there (DESIGN.md decision 9).
const contextOf = (orgId: string, provider: CloudProvider) => `astromesh-provider-key/v1/${orgId}/${provider}`;

/** Seals an org's provider key under the current master key. */
export function sealProviderKey(input: {
  orgId: string;
  provider: CloudProvider;
  apiKey: string;
  keys: MasterKeyRing;
}): StoredSeal {
  return sealSecret({
    plaintext: input.apiKey,
    key: input.keys.current,
    context: contextOf(input.orgId, input.provider),
  });
}

/** The plaintext key of a stored row ('' for a provider saved without one); throws SecretUnreadable. */
export function openProviderKey(record: Pick<ProviderKeyRecord, 'orgId' | 'provider' | 'seal'>, keys: MasterKeyRing) {
  return openSealedSecret({ sealed: record.seal, keys, context: contextOf(record.orgId, record.provider) });
}

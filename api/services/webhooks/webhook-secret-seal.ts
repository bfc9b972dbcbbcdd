import type { StoredSeal } from '../../stores/provider-keys-store.ts';
import { type MasterKeyRing, openSealedSecret, sealSecret } from '../seal-secret.ts';

// The webhook's identity is sealed in with its secret, so a ciphertext copied into another row
// (another webhook, another org) does not open there (DESIGN.md decision 9).
const contextOf = (orgId: string, webhookId: string) => `astromesh-webhook-secret/v1/${orgId}/${webhookId}`;

/** Seals a webhook's signing secret under the current master key. */
export function sealWebhookSecret(input: {
  id: string;
  orgId: string;
  secret: string;
  keys: MasterKeyRing;
}): StoredSeal {
  return sealSecret({ plaintext: input.secret, key: input.keys.current, context: contextOf(input.orgId, input.id) });
}

/** The secret in clear, to verify a signature with; throws SecretUnreadable. */
export function openWebhookSecret(input: { id: string; orgId: string; seal: StoredSeal }, keys: MasterKeyRing): string {
  return openSealedSecret({ sealed: input.seal, keys, context: contextOf(input.orgId, input.id) });
}

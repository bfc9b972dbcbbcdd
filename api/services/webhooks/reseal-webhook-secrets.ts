import type { Database } from '../../db/database.ts';
import { listWebhookSealsNotSealedWith, replaceWebhookSeal } from '../../stores/webhooks-store.ts';
import { type ResealReport, resealSealedSecrets } from '../reseal-sealed-secrets.ts';
import type { MasterKeyRing } from '../seal-secret.ts';
import { openWebhookSecret, sealWebhookSecret } from './webhook-secret-seal.ts';

/**
 * Webhook secrets (and a rotated-out one still in its grace) sealed with an older master key,
 * resealed under the current one (resealSealedSecrets), so the old key can go without breaking webhooks.
 */
export async function resealWebhookSecrets(deps: {
  db: Database;
  keys: MasterKeyRing;
}): Promise<ResealReport<{ webhookId: string; keyId: string }>> {
  return resealSealedSecrets(await listWebhookSealsNotSealedWith(deps.db, deps.keys.current.id), {
    open: (stored) => openWebhookSecret({ id: stored.webhookId, orgId: stored.orgId, seal: stored.seal }, deps.keys),
    seal: (stored, secret) => sealWebhookSecret({ id: stored.webhookId, orgId: stored.orgId, secret, keys: deps.keys }),
    replace: (stored, seal) =>
      replaceWebhookSeal(deps.db, { webhookId: stored.webhookId, which: stored.which, previous: stored.seal, seal }),
    unreadable: (stored) => ({ webhookId: stored.webhookId, keyId: stored.seal.keyId }),
  });
}

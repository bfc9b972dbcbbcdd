import type { Database } from '../../db/database.ts';
import { listWebhookSealsNotSealedWith, replaceWebhookSeal } from '../../stores/webhooks-store.ts';
import { type MasterKeyRing, SecretUnreadable } from '../seal-secret.ts';
import { openWebhookSecret, sealWebhookSecret } from './webhook-secret-seal.ts';

export interface WebhookResealReport {
  /** Secrets now sealed with the current master key. */
  resealed: number;
  /** Secrets sealed with a master key this process does not have: they stay as they are. */
  unreadable: { webhookId: string; keyId: string }[];
}

/**
 * Re-encrypts every webhook secret (and a rotated-out one still in its grace) sealed with an older
 * master key under the current one, as resealProviderKeys does for provider keys, so a rotated-out
 * master key can be dropped without breaking webhooks. Run at startup; safe on several replicas.
 */
export async function resealWebhookSecrets(deps: { db: Database; keys: MasterKeyRing }): Promise<WebhookResealReport> {
  const report: WebhookResealReport = { resealed: 0, unreadable: [] };
  for (const stored of await listWebhookSealsNotSealedWith(deps.db, deps.keys.current.id)) {
    let secret: string;
    try {
      secret = openWebhookSecret({ id: stored.webhookId, orgId: stored.orgId, seal: stored.seal }, deps.keys);
    } catch (err) {
      if (!(err instanceof SecretUnreadable)) throw err;
      report.unreadable.push({ webhookId: stored.webhookId, keyId: stored.seal.keyId });
      continue;
    }
    const seal = sealWebhookSecret({ id: stored.webhookId, orgId: stored.orgId, secret, keys: deps.keys });
    const isReplaced = await replaceWebhookSeal(deps.db, {
      webhookId: stored.webhookId,
      which: stored.which,
      previous: stored.seal,
      seal,
    });
    if (isReplaced) report.resealed++;
  }
  return report;
}

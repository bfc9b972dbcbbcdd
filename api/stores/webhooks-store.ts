import type { Queryable } from '../db/database.ts';
import type { StoredSeal } from './provider-keys-store.ts';
import { replaceStoredSeal } from './replace-stored-seal.ts';

/** Who created a webhook; the runs it starts act as them. */
export type WebhookCreator = { kind: 'user'; id: string } | { kind: 'api_key'; id: string };

export interface WebhookRecord {
  id: string;
  orgId: string;
  /** Set by the lookups that join the org (findWebhookForDelivery). */
  orgSlug?: string;
  agentName: string;
  name: string;
  template: string;
  seal: StoredSeal;
  secretPrefix: string;
  /** The secret before the last rotation, while its grace lasts (by PostgreSQL's clock when read). */
  previous: { seal: StoredSeal; expiresAt: Date } | null;
  createdBy: WebhookCreator;
  createdAt: Date;
  rotatedAt: Date | null;
}

interface WebhookRow {
  id: string;
  org_id: string;
  org_slug?: string;
  agent_name: string;
  name: string;
  template: string;
  key_id: string;
  iv: Buffer;
  ciphertext: Buffer;
  auth_tag: Buffer;
  secret_prefix: string;
  previous_key_id: string | null;
  previous_iv: Buffer | null;
  previous_ciphertext: Buffer | null;
  previous_auth_tag: Buffer | null;
  previous_expires_at: Date | null;
  created_by: WebhookCreator;
  created_at: Date;
  rotated_at: Date | null;
}

// The previous secret is returned only while its grace lasts, so an expired one is never even opened.
const columns = `w.id, w.org_id, w.agent_name, w.name, w.template, w.key_id, w.iv, w.ciphertext, w.auth_tag,
  w.secret_prefix, w.created_by, w.created_at, w.rotated_at,
  CASE WHEN w.previous_expires_at > now() THEN w.previous_key_id END AS previous_key_id,
  CASE WHEN w.previous_expires_at > now() THEN w.previous_iv END AS previous_iv,
  CASE WHEN w.previous_expires_at > now() THEN w.previous_ciphertext END AS previous_ciphertext,
  CASE WHEN w.previous_expires_at > now() THEN w.previous_auth_tag END AS previous_auth_tag,
  CASE WHEN w.previous_expires_at > now() THEN w.previous_expires_at END AS previous_expires_at`;

function toRecord(row: WebhookRow): WebhookRecord {
  const hasPrevious =
    row.previous_key_id !== null &&
    row.previous_iv !== null &&
    row.previous_ciphertext !== null &&
    row.previous_auth_tag !== null &&
    row.previous_expires_at !== null;
  return {
    id: row.id,
    orgId: row.org_id,
    ...(row.org_slug === undefined ? {} : { orgSlug: row.org_slug }),
    agentName: row.agent_name,
    name: row.name,
    template: row.template,
    seal: { keyId: row.key_id, iv: row.iv, ciphertext: row.ciphertext, authTag: row.auth_tag },
    secretPrefix: row.secret_prefix,
    previous: hasPrevious
      ? {
          seal: {
            keyId: row.previous_key_id as string,
            iv: row.previous_iv as Buffer,
            ciphertext: row.previous_ciphertext as Buffer,
            authTag: row.previous_auth_tag as Buffer,
          },
          expiresAt: row.previous_expires_at as Date,
        }
      : null,
    createdBy: row.created_by,
    createdAt: row.created_at,
    rotatedAt: row.rotated_at,
  };
}

export async function insertWebhook(
  db: Queryable,
  input: {
    id: string;
    orgId: string;
    agentName: string;
    name: string;
    template: string;
    seal: StoredSeal;
    secretPrefix: string;
    createdBy: WebhookCreator;
  },
): Promise<WebhookRecord> {
  const { rows } = await db.query<WebhookRow>(
    `WITH w AS (
       INSERT INTO webhooks (id, org_id, agent_name, name, template, key_id, iv, ciphertext, auth_tag, secret_prefix, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *)
     SELECT ${columns} FROM w`,
    [
      input.id,
      input.orgId,
      input.agentName,
      input.name,
      input.template,
      input.seal.keyId,
      input.seal.iv,
      input.seal.ciphertext,
      input.seal.authTag,
      input.secretPrefix,
      JSON.stringify(input.createdBy),
    ],
  );
  return toRecord(rows[0] as WebhookRow);
}

export async function listWebhooks(db: Queryable, input: { orgId: string; agentName: string }) {
  const { rows } = await db.query<WebhookRow>(
    `SELECT ${columns} FROM webhooks w WHERE w.org_id = $1 AND w.agent_name = $2 ORDER BY w.created_at, w.id`,
    [input.orgId, input.agentName],
  );
  return rows.map(toRecord);
}

export async function countWebhooks(db: Queryable, input: { orgId: string; agentName: string }): Promise<number> {
  const { rows } = await db.query<{ count: number }>(
    'SELECT count(*)::int AS count FROM webhooks WHERE org_id = $1 AND agent_name = $2',
    [input.orgId, input.agentName],
  );
  return rows[0]?.count ?? 0;
}

export async function findWebhook(
  db: Queryable,
  input: { orgId: string; agentName: string; id: string },
): Promise<WebhookRecord | undefined> {
  const { rows } = await db.query<WebhookRow>(
    `SELECT ${columns} FROM webhooks w WHERE w.org_id = $1 AND w.agent_name = $2 AND w.id = $3`,
    [input.orgId, input.agentName, input.id],
  );
  return rows[0] ? toRecord(rows[0]) : undefined;
}

/** The webhook an inbound call names, with its org's slug; undefined when there is none. */
export async function findWebhookForDelivery(db: Queryable, id: string): Promise<WebhookRecord | undefined> {
  const { rows } = await db.query<WebhookRow>(
    `SELECT ${columns}, o.slug AS org_slug FROM webhooks w JOIN orgs o ON o.id = w.org_id WHERE w.id = $1`,
    [id],
  );
  return rows[0] ? toRecord(rows[0]) : undefined;
}

/**
 * Replaces the secret; the one it replaces keeps working for `graceSeconds` (0: not at all). A
 * previous secret still in its grace is dropped: only the last two secrets are ever accepted.
 */
export async function rotateWebhookSecret(
  db: Queryable,
  input: { orgId: string; agentName: string; id: string; seal: StoredSeal; secretPrefix: string; graceSeconds: number },
): Promise<WebhookRecord | undefined> {
  const { rows } = await db.query<WebhookRow>(
    `WITH w AS (
       UPDATE webhooks SET
         previous_key_id = CASE WHEN $9 > 0 THEN key_id END,
         previous_iv = CASE WHEN $9 > 0 THEN iv END,
         previous_ciphertext = CASE WHEN $9 > 0 THEN ciphertext END,
         previous_auth_tag = CASE WHEN $9 > 0 THEN auth_tag END,
         previous_expires_at = CASE WHEN $9 > 0 THEN now() + make_interval(secs => $9) END,
         key_id = $4, iv = $5, ciphertext = $6, auth_tag = $7, secret_prefix = $8, rotated_at = now()
       WHERE org_id = $1 AND agent_name = $2 AND id = $3
       RETURNING *)
     SELECT ${columns} FROM w`,
    [
      input.orgId,
      input.agentName,
      input.id,
      input.seal.keyId,
      input.seal.iv,
      input.seal.ciphertext,
      input.seal.authTag,
      input.secretPrefix,
      input.graceSeconds,
    ],
  );
  return rows[0] ? toRecord(rows[0]) : undefined;
}

/** False when there was no such webhook. */
export async function deleteWebhook(
  db: Queryable,
  input: { orgId: string; agentName: string; id: string },
): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM webhooks WHERE org_id = $1 AND agent_name = $2 AND id = $3', [
    input.orgId,
    input.agentName,
    input.id,
  ]);
  return (rowCount ?? 0) > 0;
}

/**
 * Records a signature as seen until `expiresAt`; false when it was seen already (a replay). Seen
 * signatures of this webhook that left the window are pruned in the same statement.
 */
export async function markSignatureSeen(
  db: Queryable,
  input: { webhookId: string; signature: string; expiresAt: Date; now: Date },
): Promise<boolean> {
  const { rows } = await db.query(
    `WITH pruned AS (DELETE FROM webhook_signatures_seen WHERE webhook_id = $1 AND expires_at < $4)
     INSERT INTO webhook_signatures_seen (webhook_id, signature, expires_at) VALUES ($1, $2, $3)
     ON CONFLICT (webhook_id, signature) DO NOTHING RETURNING signature`,
    [input.webhookId, input.signature, input.expiresAt, input.now],
  );
  return rows.length === 1;
}

/** Forgets a seen signature, so a delivery the API could not start may be retried as sent. */
export async function forgetSignature(db: Queryable, input: { webhookId: string; signature: string }) {
  await db.query('DELETE FROM webhook_signatures_seen WHERE webhook_id = $1 AND signature = $2', [
    input.webhookId,
    input.signature,
  ]);
}

/** A webhook secret's seal as stored, current or (still in its grace) previous. */
export interface StoredWebhookSeal {
  webhookId: string;
  orgId: string;
  which: 'current' | 'previous';
  seal: StoredSeal;
}

/** Every seal of a webhook secret made with another master key than `keyId` (expired previous ones aside). */
export async function listWebhookSealsNotSealedWith(db: Queryable, keyId: string): Promise<StoredWebhookSeal[]> {
  const { rows } = await db.query<WebhookRow>(`SELECT ${columns} FROM webhooks w ORDER BY w.org_id, w.id`);
  return rows
    .map(toRecord)
    .flatMap((webhook) => [
      ...(webhook.seal.keyId === keyId
        ? []
        : [{ webhookId: webhook.id, orgId: webhook.orgId, which: 'current' as const, seal: webhook.seal }]),
      ...(webhook.previous && webhook.previous.seal.keyId !== keyId
        ? [{ webhookId: webhook.id, orgId: webhook.orgId, which: 'previous' as const, seal: webhook.previous.seal }]
        : []),
    ]);
}

/**
 * Swaps one seal for `seal`, only if the row still holds `previous` (same master key, same IV): a
 * secret rotated meanwhile must not be overwritten with the older one.
 */
export function replaceWebhookSeal(
  db: Queryable,
  input: { webhookId: string; which: 'current' | 'previous'; previous: StoredSeal; seal: StoredSeal },
): Promise<boolean> {
  return replaceStoredSeal(db, {
    table: 'webhooks',
    row: [['id', input.webhookId]],
    columns: input.which === 'current' ? '' : 'previous_',
    previous: input.previous,
    seal: input.seal,
  });
}

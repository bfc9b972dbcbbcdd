import type { Queryable } from '../db/database.ts';

export interface ApiKeyRecord {
  id: string;
  orgId: string;
  orgSlug: string;
  name: string;
  prefix: string;
  role: 'admin' | 'member';
  createdAt: Date;
  lastUsedAt: Date | null;
}

interface ApiKeyRow {
  id: string;
  org_id: string;
  org_slug: string;
  name: string;
  prefix: string;
  role: 'admin' | 'member';
  created_at: Date;
  last_used_at: Date | null;
}

const toRecord = (row: ApiKeyRow): ApiKeyRecord => ({
  id: row.id,
  orgId: row.org_id,
  orgSlug: row.org_slug,
  name: row.name,
  prefix: row.prefix,
  role: row.role,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
});

/** The key whose secret hashes to `secretHash`; a revoked key is deleted, so it is never found. */
export async function findApiKeyByHash(db: Queryable, secretHash: Buffer): Promise<ApiKeyRecord | undefined> {
  const { rows } = await db.query<ApiKeyRow>(
    'SELECT k.*, o.slug AS org_slug FROM api_keys k JOIN orgs o ON o.id = k.org_id WHERE k.secret_hash = $1',
    [secretHash],
  );
  return rows[0] ? toRecord(rows[0]) : undefined;
}

/** Records use at most once a minute per key, so a busy key does not write on every request. */
export async function touchApiKey(db: Queryable, id: string): Promise<void> {
  await db.query(
    "UPDATE api_keys SET last_used_at = now() WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')",
    [id],
  );
}

export async function listApiKeys(db: Queryable, orgId: string): Promise<ApiKeyRecord[]> {
  const { rows } = await db.query<ApiKeyRow>(
    'SELECT k.*, o.slug AS org_slug FROM api_keys k JOIN orgs o ON o.id = k.org_id WHERE k.org_id = $1 ORDER BY k.created_at, k.id',
    [orgId],
  );
  return rows.map(toRecord);
}

/**
 * Serialises key creation in one org, across API replicas too, until the caller's transaction
 * ends: counting the org's keys and inserting one then cannot interleave with another creation.
 */
export async function lockOrgApiKeys(db: Queryable, orgId: string): Promise<void> {
  await db.query("SELECT pg_advisory_xact_lock(hashtext('astromesh-org-api-keys:' || $1))", [orgId]);
}

/** The org's active keys: a revoked key is deleted, so it is not counted. */
export async function countApiKeys(db: Queryable, orgId: string): Promise<number> {
  const { rows } = await db.query<{ keys: number }>('SELECT count(*)::int AS keys FROM api_keys WHERE org_id = $1', [
    orgId,
  ]);
  return rows[0]?.keys ?? 0;
}

/** Stores a new key; only the hash of its secret is kept, so the secret cannot be shown again. */
export async function insertApiKey(
  db: Queryable,
  input: {
    id: string;
    orgId: string;
    name: string;
    prefix: string;
    secretHash: Buffer;
    role: ApiKeyRecord['role'];
    createdBy: string | null;
  },
): Promise<ApiKeyRecord> {
  const { rows } = await db.query<ApiKeyRow>(
    `WITH inserted AS (
       INSERT INTO api_keys (id, org_id, name, prefix, secret_hash, role, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *)
     SELECT k.*, o.slug AS org_slug FROM inserted k JOIN orgs o ON o.id = k.org_id`,
    [input.id, input.orgId, input.name, input.prefix, input.secretHash, input.role, input.createdBy],
  );
  return toRecord(rows[0] as ApiKeyRow);
}

/**
 * Revokes a key by deleting it, so the next request with it finds nothing; false when the org has
 * no such key. Its hash is kept in revoked_api_keys (one statement, so both or neither), so that a
 * later use is recorded in the audit log as a revoked key's rather than an unknown one's.
 */
export async function deleteApiKey(db: Queryable, input: { orgId: string; id: string }): Promise<boolean> {
  const { rowCount } = await db.query(
    `WITH revoked AS (DELETE FROM api_keys WHERE org_id = $1 AND id = $2 RETURNING secret_hash, id, org_id)
     INSERT INTO revoked_api_keys (secret_hash, key_id, org_id) SELECT secret_hash, id, org_id FROM revoked
     ON CONFLICT (secret_hash) DO NOTHING`,
    [input.orgId, input.id],
  );
  return (rowCount ?? 0) > 0;
}

/** The key whose secret hashes to `secretHash` if it was revoked (within the audit log's retention). */
export async function findRevokedApiKey(
  db: Queryable,
  secretHash: Buffer,
): Promise<{ keyId: string; orgId: string } | undefined> {
  const { rows } = await db.query<{ key_id: string; org_id: string }>(
    'SELECT key_id, org_id FROM revoked_api_keys WHERE secret_hash = $1',
    [secretHash],
  );
  return rows[0] ? { keyId: rows[0].key_id, orgId: rows[0].org_id } : undefined;
}

import type { Queryable } from '../db/database.ts';
import type { CloudProvider } from '../schemas/wizard-config.ts';
import { replaceStoredSeal } from './replace-stored-seal.ts';

/** The encrypted key as stored: AES-256-GCM output and the id of the master key that sealed it. */
export interface StoredSeal {
  keyId: string;
  iv: Buffer;
  ciphertext: Buffer;
  authTag: Buffer;
}

export interface ProviderKeyRecord {
  orgId: string;
  provider: CloudProvider;
  seal: StoredSeal;
  /** Null for a provider saved without a key (a keyless Ollama host). */
  maskedKey: string | null;
  baseUrl: string | null;
  addedAt: Date;
  updatedAt: Date;
}

interface ProviderKeyRow {
  org_id: string;
  provider: CloudProvider;
  key_id: string;
  iv: Buffer;
  ciphertext: Buffer;
  auth_tag: Buffer;
  masked_key: string;
  base_url: string | null;
  added_at: Date;
  updated_at: Date;
}

const toRecord = (row: ProviderKeyRow): ProviderKeyRecord => ({
  orgId: row.org_id,
  provider: row.provider,
  seal: { keyId: row.key_id, iv: row.iv, ciphertext: row.ciphertext, authTag: row.auth_tag },
  maskedKey: row.masked_key === '' ? null : row.masked_key,
  baseUrl: row.base_url,
  addedAt: row.added_at,
  updatedAt: row.updated_at,
});

export async function listProviderKeys(db: Queryable, orgId: string): Promise<ProviderKeyRecord[]> {
  const { rows } = await db.query<ProviderKeyRow>('SELECT * FROM provider_keys WHERE org_id = $1 ORDER BY provider', [
    orgId,
  ]);
  return rows.map(toRecord);
}

/** Adds the org's key for the provider, or replaces it; `added_at` stays that of the first save. */
export async function upsertProviderKey(
  db: Queryable,
  input: { orgId: string; provider: CloudProvider; seal: StoredSeal; maskedKey: string | null; baseUrl: string | null },
): Promise<ProviderKeyRecord> {
  const { rows } = await db.query<ProviderKeyRow>(
    `INSERT INTO provider_keys (org_id, provider, key_id, iv, ciphertext, auth_tag, masked_key, base_url)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
     ON CONFLICT (org_id, provider) DO UPDATE SET key_id = EXCLUDED.key_id, iv = EXCLUDED.iv,
       ciphertext = EXCLUDED.ciphertext, auth_tag = EXCLUDED.auth_tag, masked_key = EXCLUDED.masked_key,
       base_url = EXCLUDED.base_url, updated_at = now()
     RETURNING *`,
    [
      input.orgId,
      input.provider,
      input.seal.keyId,
      input.seal.iv,
      input.seal.ciphertext,
      input.seal.authTag,
      input.maskedKey ?? '',
      input.baseUrl,
    ],
  );
  return toRecord(rows[0] as ProviderKeyRow);
}

/** False when the org had no key for the provider. */
export async function deleteProviderKey(
  db: Queryable,
  input: { orgId: string; provider: CloudProvider },
): Promise<boolean> {
  const { rowCount } = await db.query('DELETE FROM provider_keys WHERE org_id = $1 AND provider = $2', [
    input.orgId,
    input.provider,
  ]);
  return (rowCount ?? 0) > 0;
}

/** Every org's keys sealed with a master key other than `keyId`: what a rotation must reseal. */
export async function listProviderKeysNotSealedWith(db: Queryable, keyId: string): Promise<ProviderKeyRecord[]> {
  const { rows } = await db.query<ProviderKeyRow>(
    'SELECT * FROM provider_keys WHERE key_id <> $1 ORDER BY org_id, provider',
    [keyId],
  );
  return rows.map(toRecord);
}

/**
 * Swaps one key's seal for `seal`, only if the row still holds `previous` (same master key, same
 * IV): a key saved again meanwhile must not be overwritten with its older secret.
 */
export function replaceProviderKeySeal(
  db: Queryable,
  input: { orgId: string; provider: CloudProvider; previous: StoredSeal; seal: StoredSeal },
): Promise<boolean> {
  return replaceStoredSeal(db, {
    table: 'provider_keys',
    row: [
      ['org_id', input.orgId],
      ['provider', input.provider],
    ],
    previous: input.previous,
    seal: input.seal,
  });
}

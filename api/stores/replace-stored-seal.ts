import type { Queryable } from '../db/database.ts';
import type { StoredSeal } from './provider-keys-store.ts';

/**
 * Swaps the seal of one row of a table with seal columns (key_id, iv, ciphertext, auth_tag) for
 * `seal`, only if the row still holds `previous` (same master key, same IV): a secret saved again
 * meanwhile must not be overwritten with its older value. `row` names the row by its two key
 * columns; table and column names are the stores' own constants, never input.
 */
export async function replaceStoredSeal(
  db: Queryable,
  input: {
    table: 'provider_keys' | 'mcp_servers';
    row: [column: string, value: string][];
    previous: StoredSeal;
    seal: StoredSeal;
  },
): Promise<boolean> {
  const where = input.row.map(([column], index) => `${column} = $${index + 7}`).join(' AND ');
  const { rowCount } = await db.query(
    `UPDATE ${input.table} SET key_id = $3, iv = $4, ciphertext = $5, auth_tag = $6
     WHERE key_id = $1 AND iv = $2 AND ${where}`,
    [
      input.previous.keyId,
      input.previous.iv,
      input.seal.keyId,
      input.seal.iv,
      input.seal.ciphertext,
      input.seal.authTag,
      ...input.row.map(([, value]) => value),
    ],
  );
  return (rowCount ?? 0) > 0;
}

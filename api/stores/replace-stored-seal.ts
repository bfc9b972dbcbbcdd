import type { Queryable } from '../db/database.ts';
import type { StoredSeal } from './provider-keys-store.ts';

/**
 * Swaps the seal of one row of a table with seal columns (key_id, iv, ciphertext, auth_tag) for
 * `seal`, only if the row still holds `previous` (same master key, same IV): a secret saved again
 * meanwhile must not be overwritten with its older value. `row` names the row by its key columns;
 * `columns: 'previous_'` swaps the seal a row keeps beside its current one (a webhook's replaced
 * secret during its grace). Table and column names are the stores' own constants, never input.
 */
export async function replaceStoredSeal(
  db: Queryable,
  input: {
    table: 'provider_keys' | 'mcp_servers' | 'webhooks';
    row: [column: string, value: string][];
    columns?: '' | 'previous_';
    previous: StoredSeal;
    seal: StoredSeal;
  },
): Promise<boolean> {
  const column = (name: string) => `${input.columns ?? ''}${name}`;
  const where = input.row.map(([name], index) => `${name} = $${index + 7}`).join(' AND ');
  const { rowCount } = await db.query(
    `UPDATE ${input.table} SET ${column('key_id')} = $3, ${column('iv')} = $4, ${column('ciphertext')} = $5,
       ${column('auth_tag')} = $6
     WHERE ${column('key_id')} = $1 AND ${column('iv')} = $2 AND ${where}`,
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

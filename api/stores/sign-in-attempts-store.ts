import type { Queryable } from '../db/database.ts';

export type SignInProvider = 'oidc' | 'github';

export interface SignInAttempt {
  provider: SignInProvider;
  nonce: string;
  codeVerifier: string;
  browserHash: Buffer;
  returnTo: string;
}

export async function insertSignInAttempt(
  db: Queryable,
  input: SignInAttempt & { stateHash: Buffer; ttlSeconds: number },
): Promise<void> {
  // Attempts nobody finished are deleted by the next start, so the table holds minutes of them.
  await db.query(`DELETE FROM sign_in_attempts WHERE expires_at < now() - interval '1 hour'`);
  await db.query(
    `INSERT INTO sign_in_attempts (state_hash, provider, nonce, code_verifier, browser_hash, return_to, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7))`,
    [
      input.stateHash,
      input.provider,
      input.nonce,
      input.codeVerifier,
      input.browserHash,
      input.returnTo,
      input.ttlSeconds,
    ],
  );
}

/**
 * Marks the attempt of this state used and returns it, in one statement: of two callbacks racing
 * with one state (a replay), exactly one gets it. Unknown, used or expired: undefined.
 */
export async function takeSignInAttempt(
  db: Queryable,
  input: { stateHash: Buffer; provider: SignInProvider },
): Promise<SignInAttempt | undefined> {
  const { rows } = await db.query<{
    provider: SignInProvider;
    nonce: string;
    code_verifier: string;
    browser_hash: Buffer;
    return_to: string;
  }>(
    `UPDATE sign_in_attempts SET used_at = now()
     WHERE state_hash = $1 AND provider = $2 AND used_at IS NULL AND expires_at > now()
     RETURNING provider, nonce, code_verifier, browser_hash, return_to`,
    [input.stateHash, input.provider],
  );
  const row = rows[0];
  return row
    ? {
        provider: row.provider,
        nonce: row.nonce,
        codeVerifier: row.code_verifier,
        browserHash: row.browser_hash,
        returnTo: row.return_to,
      }
    : undefined;
}

import type { Queryable } from '../db/database.ts';

export interface AuthSession {
  id: string;
  userId: string;
  orgId: string;
  expiresAt: Date;
  revokedAt: Date | null;
}

interface SessionRow {
  id: string;
  user_id: string;
  org_id: string;
  expires_at: Date;
  revoked_at: Date | null;
}

const toSession = (row: SessionRow): AuthSession => ({
  id: row.id,
  userId: row.user_id,
  orgId: row.org_id,
  expiresAt: row.expires_at,
  revokedAt: row.revoked_at,
});

export async function insertSession(
  db: Queryable,
  input: { userId: string; orgId: string; expiresAt: Date },
): Promise<AuthSession> {
  const { rows } = await db.query<SessionRow>(
    'INSERT INTO auth_sessions (user_id, org_id, expires_at) VALUES ($1, $2, $3) RETURNING *',
    [input.userId, input.orgId, input.expiresAt],
  );
  return toSession(rows[0] as SessionRow);
}

export async function findSession(db: Queryable, id: string): Promise<AuthSession | undefined> {
  const { rows } = await db.query<SessionRow>('SELECT * FROM auth_sessions WHERE id = $1', [id]);
  return rows[0] ? toSession(rows[0]) : undefined;
}

export async function revokeSession(db: Queryable, id: string, reason: string): Promise<void> {
  await db.query(
    'UPDATE auth_sessions SET revoked_at = now(), revoked_reason = $2 WHERE id = $1 AND revoked_at IS NULL',
    [id, reason],
  );
}

export async function insertRefreshToken(
  db: Queryable,
  input: { tokenHash: Buffer; sessionId: string },
): Promise<void> {
  await db.query('INSERT INTO refresh_tokens (token_hash, session_id) VALUES ($1, $2)', [
    input.tokenHash,
    input.sessionId,
  ]);
}

/**
 * Marks a refresh token used, atomically: of two requests presenting the same token, exactly one
 * gets `fresh: true`; the other sees a reuse.
 */
export async function useRefreshToken(
  db: Queryable,
  tokenHash: Buffer,
): Promise<{ sessionId: string; fresh: boolean } | undefined> {
  const updated = await db.query<{ session_id: string }>(
    'UPDATE refresh_tokens SET used_at = now() WHERE token_hash = $1 AND used_at IS NULL RETURNING session_id',
    [tokenHash],
  );
  if (updated.rows[0]) return { sessionId: updated.rows[0].session_id, fresh: true };
  const existing = await db.query<{ session_id: string }>(
    'SELECT session_id FROM refresh_tokens WHERE token_hash = $1',
    [tokenHash],
  );
  return existing.rows[0] ? { sessionId: existing.rows[0].session_id, fresh: false } : undefined;
}

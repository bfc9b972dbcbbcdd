import type { Queryable } from '../db/database.ts';

/** Records that the provider's account `subject` signed in as the user (or did again). */
export async function recordUserIdentity(
  db: Queryable,
  input: { provider: string; subject: string; userId: string; email: string },
): Promise<void> {
  await db.query(
    `INSERT INTO user_identities (provider, subject, user_id, email) VALUES ($1, $2, $3, $4)
     ON CONFLICT (provider, subject)
     DO UPDATE SET user_id = EXCLUDED.user_id, email = EXCLUDED.email, last_sign_in_at = now()`,
    [input.provider, input.subject, input.userId, input.email],
  );
}

import type { Queryable } from '../db/database.ts';
import type { Role } from '../http/principal.ts';
import type { Member } from './orgs-store.ts';

// Listing and counting members live in orgs-store.ts (sign-in and access checks use them);
// this file holds what adding a member needs.

interface MemberRow {
  user_id: string;
  email: string;
  name: string;
  role: Role;
  joined_at: Date;
}

const toMember = (row: MemberRow): Member => ({
  userId: row.user_id,
  email: row.email,
  name: row.name,
  role: row.role,
  joinedAt: row.joined_at,
});

/**
 * Serialises membership changes of one org until the transaction ends, so two invites racing
 * for the last free seat cannot both take it. NO KEY UPDATE leaves rows that merely reference
 * the org (agents, keys) free to be written meanwhile.
 */
export async function lockOrgMembership(db: Queryable, orgId: string): Promise<void> {
  await db.query('SELECT id FROM orgs WHERE id = $1 FOR NO KEY UPDATE', [orgId]);
}

export async function findMember(db: Queryable, input: { orgId: string; userId: string }): Promise<Member | undefined> {
  const { rows } = await db.query<MemberRow>(
    `SELECT m.user_id, u.email, u.name, m.role, m.joined_at FROM org_members m JOIN users u ON u.id = m.user_id
     WHERE m.org_id = $1 AND m.user_id = $2`,
    [input.orgId, input.userId],
  );
  return rows[0] ? toMember(rows[0]) : undefined;
}

export async function insertMember(
  db: Queryable,
  input: { orgId: string; userId: string; role: Role },
): Promise<Member> {
  const { rows } = await db.query<MemberRow>(
    `WITH inserted AS (INSERT INTO org_members (org_id, user_id, role) VALUES ($1, $2, $3) RETURNING *)
     SELECT i.user_id, u.email, u.name, i.role, i.joined_at FROM inserted i JOIN users u ON u.id = i.user_id`,
    [input.orgId, input.userId, input.role],
  );
  return toMember(rows[0] as MemberRow);
}

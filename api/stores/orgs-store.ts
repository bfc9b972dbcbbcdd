import type { Queryable } from '../db/database.ts';
import type { Role } from '../http/principal.ts';

export interface Org {
  id: string;
  slug: string;
  displayName: string;
  plan: string;
  createdAt: Date;
}

export interface Member {
  userId: string;
  email: string;
  name: string;
  role: Role;
  joinedAt: Date;
}

interface OrgRow {
  id: string;
  slug: string;
  display_name: string;
  plan: string;
  created_at: Date;
}

const toOrg = (row: OrgRow): Org => ({
  id: row.id,
  slug: row.slug,
  displayName: row.display_name,
  plan: row.plan,
  createdAt: row.created_at,
});

export async function findOrgBySlug(db: Queryable, slug: string): Promise<Org | undefined> {
  const { rows } = await db.query<OrgRow>('SELECT * FROM orgs WHERE slug = $1', [slug]);
  return rows[0] ? toOrg(rows[0]) : undefined;
}

export async function findOrgById(db: Queryable, id: string): Promise<Org | undefined> {
  const { rows } = await db.query<OrgRow>('SELECT * FROM orgs WHERE id = $1', [id]);
  return rows[0] ? toOrg(rows[0]) : undefined;
}

/** Inserts the org unless the slug is taken; undefined means taken. */
export async function insertOrg(db: Queryable, input: { slug: string; displayName: string }): Promise<Org | undefined> {
  const { rows } = await db.query<OrgRow>(
    'INSERT INTO orgs (slug, display_name) VALUES ($1, $2) ON CONFLICT (slug) DO NOTHING RETURNING *',
    [input.slug, input.displayName],
  );
  return rows[0] ? toOrg(rows[0]) : undefined;
}

export async function updateOrgDisplayName(db: Queryable, orgId: string, displayName: string): Promise<Org> {
  const { rows } = await db.query<OrgRow>('UPDATE orgs SET display_name = $2 WHERE id = $1 RETURNING *', [
    orgId,
    displayName,
  ]);
  return toOrg(rows[0] as OrgRow);
}

export async function addMember(db: Queryable, input: { orgId: string; userId: string; role: Role }): Promise<void> {
  await db.query('INSERT INTO org_members (org_id, user_id, role) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
    input.orgId,
    input.userId,
    input.role,
  ]);
}

export async function roleOf(
  db: Queryable,
  input: { orgSlug: string; userId: string },
): Promise<{ orgId: string; role: Role } | undefined> {
  const { rows } = await db.query<{ org_id: string; role: Role }>(
    'SELECT m.org_id, m.role FROM org_members m JOIN orgs o ON o.id = m.org_id WHERE o.slug = $1 AND m.user_id = $2',
    [input.orgSlug, input.userId],
  );
  return rows[0] ? { orgId: rows[0].org_id, role: rows[0].role } : undefined;
}

/** The org a user signs in to: the one they joined first (their own, for a new user). */
export async function firstOrgOf(db: Queryable, userId: string): Promise<Org | undefined> {
  const { rows } = await db.query<OrgRow>(
    `SELECT o.* FROM orgs o JOIN org_members m ON m.org_id = o.id
     WHERE m.user_id = $1 ORDER BY m.joined_at, o.created_at LIMIT 1`,
    [userId],
  );
  return rows[0] ? toOrg(rows[0]) : undefined;
}

export async function listMembers(db: Queryable, orgId: string): Promise<Member[]> {
  const { rows } = await db.query<{ user_id: string; email: string; name: string; role: Role; joined_at: Date }>(
    `SELECT m.user_id, u.email, u.name, m.role, m.joined_at FROM org_members m JOIN users u ON u.id = m.user_id
     WHERE m.org_id = $1 ORDER BY m.joined_at, u.email`,
    [orgId],
  );
  return rows.map((row) => ({
    userId: row.user_id,
    email: row.email,
    name: row.name,
    role: row.role,
    joinedAt: row.joined_at,
  }));
}

export async function countMembers(db: Queryable, orgId: string): Promise<number> {
  const { rows } = await db.query<{ count: string }>('SELECT count(*) FROM org_members WHERE org_id = $1', [orgId]);
  return Number(rows[0]?.count ?? 0);
}

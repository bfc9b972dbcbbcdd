import type { Queryable } from '../db/database.ts';

export interface User {
  id: string;
  email: string;
  name: string;
  createdAt: Date;
}

interface UserRow {
  id: string;
  email: string;
  name: string;
  created_at: Date;
}

const toUser = (row: UserRow): User => ({ id: row.id, email: row.email, name: row.name, createdAt: row.created_at });

export async function findUserByEmail(db: Queryable, email: string): Promise<User | undefined> {
  const { rows } = await db.query<UserRow>('SELECT * FROM users WHERE email = $1', [email]);
  return rows[0] ? toUser(rows[0]) : undefined;
}

export async function findUserById(db: Queryable, id: string): Promise<User | undefined> {
  const { rows } = await db.query<UserRow>('SELECT * FROM users WHERE id = $1', [id]);
  return rows[0] ? toUser(rows[0]) : undefined;
}

/** Creates the user, or returns the existing one: two logins racing for one email get one user. */
export async function upsertUser(db: Queryable, input: { email: string; name: string }): Promise<User> {
  const { rows } = await db.query<UserRow>(
    `INSERT INTO users (email, name) VALUES ($1, $2)
     ON CONFLICT (email) DO UPDATE SET name = CASE WHEN EXCLUDED.name <> '' THEN EXCLUDED.name ELSE users.name END
     RETURNING *`,
    [input.email, input.name],
  );
  return toUser(rows[0] as UserRow);
}

import pg from 'pg';
import type { Logger } from 'pino';
import { createDatabase, inTransaction } from '../../db/database.ts';
import { orgMemoryCredentialsOf } from './org-memory-credentials-of.ts';

/**
 * Gives each org a PostgreSQL LOGIN role and a schema of the same name that it owns, on the
 * database that holds conversation memory, and nothing else: its runtime's credentials reach its
 * own schema only (DESIGN.md decision 9). `adminUrl` is a role that may CREATE ROLE and owns the
 * database. Idempotent: re-applying sets the same password (derived, not stored) again.
 */
export function createOrgMemoryProvisioner(deps: { adminUrl: string; masterKey: Buffer; log: Logger }) {
  const pool = createDatabase(deps.adminUrl, { log: deps.log.child({ database: 'memory-admin' }), max: 2 });

  return {
    /** Creates or updates the org's role and schema; answers the URL its runtime connects with. */
    async provision(orgSlug: string): Promise<string> {
      const credentials = orgMemoryCredentialsOf({ adminUrl: deps.adminUrl, masterKey: deps.masterKey, orgSlug });
      await inTransaction(pool, (client) => provisionRoleAndSchema(client, credentials));
      return credentials.url;
    },
    close: () => pool.end(),
  };
}
export type OrgMemoryProvisioner = ReturnType<typeof createOrgMemoryProvisioner>;

async function provisionRoleAndSchema(client: pg.PoolClient, input: { role: string; password: string }) {
  const role = pg.escapeIdentifier(input.role);
  // One provisioning at a time, of any org, across replicas: roles are cluster-wide (replicas may
  // provision the same org at once), and every org's GRANT and REVOKE below rewrite the same
  // database ACL row, which PostgreSQL refuses to update concurrently ("tuple concurrently
  // updated"). Provisioning is rare and quick, so serialising it costs nothing.
  await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', ['astromesh.org-memory']);
  // CREATE/ALTER ROLE take no parameters; the password is base64url, and quoted as a literal anyway.
  // The role has the defaults (no superuser, CREATEDB, CREATEROLE); only LOGIN and the password change.
  const password = pg.escapeLiteral(input.password);
  const exists = (await client.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [input.role])).rowCount === 1;
  await client.query(
    exists
      ? `ALTER ROLE ${role} WITH LOGIN PASSWORD ${password}`
      : `CREATE ROLE ${role} WITH LOGIN PASSWORD ${password}`,
  );
  const schema = await client.query<{ owner: string }>(
    'SELECT pg_get_userbyid(nspowner) AS owner FROM pg_namespace WHERE nspname = $1',
    [input.role],
  );
  if (schema.rows[0]?.owner !== input.role) {
    // Making the role own a schema needs membership in it (PostgreSQL 16+: CREATEROLE alone is
    // not enough); the admin holds ADMIN OPTION on roles it created, so it may grant itself that.
    await client.query(`GRANT ${role} TO CURRENT_USER`);
    await client.query(
      schema.rowCount === 0 ? `CREATE SCHEMA ${role} AUTHORIZATION ${role}` : `ALTER SCHEMA ${role} OWNER TO ${role}`,
    );
  }
  const { rows } = await client.query<{ database: string }>('SELECT current_database() AS database');
  const database = pg.escapeIdentifier(rows[0]?.database ?? '');
  await client.query(`GRANT CONNECT ON DATABASE ${database} TO ${role}`);
  // What every role gets through PUBLIC and an org's runtime must not: temporary tables, and
  // (before PostgreSQL 15) creating objects in the public schema. Connecting stays as it is.
  await client.query(`REVOKE TEMPORARY ON DATABASE ${database} FROM PUBLIC`);
  if ((await client.query("SELECT 1 FROM pg_namespace WHERE nspname = 'public'")).rowCount === 1) {
    await client.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
  }
}

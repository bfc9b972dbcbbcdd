import type { Queryable } from '../db/database.ts';

// Every expiry is computed and compared with PostgreSQL's now(): the one clock all API replicas share.

/**
 * Serialises stream-slot acquisition in one org, across API replicas, until the caller's
 * transaction ends: the count of the org's live leases then cannot change under the next insert.
 */
export async function lockOrgStreamLeases(db: Queryable, orgId: string): Promise<void> {
  await db.query("SELECT pg_advisory_xact_lock(hashtext('astromesh-org-streams:' || $1))", [orgId]);
}

/**
 * Inserts lease `id` for the org if fewer than `maxPerOrg` of its leases are live, deleting the
 * org's lapsed ones on the way; false when the org has no room. Call under lockOrgStreamLeases.
 */
export async function insertStreamLeaseIfRoom(
  db: Queryable,
  input: { id: string; orgId: string; holder: string; leaseSeconds: number; maxPerOrg: number },
): Promise<boolean> {
  const { rowCount } = await db.query(
    `WITH lapsed AS (DELETE FROM stream_leases WHERE org_id = $2 AND expires_at <= now())
     INSERT INTO stream_leases (id, org_id, holder, expires_at)
     SELECT $1, $2, $3, now() + make_interval(secs => $4)
     WHERE (SELECT count(*) FROM stream_leases WHERE org_id = $2 AND expires_at > now()) < $5`,
    [input.id, input.orgId, input.holder, input.leaseSeconds, input.maxPerOrg],
  );
  return rowCount === 1;
}

/**
 * Extends every live lease of `holder` by `leaseSeconds` and returns their ids. A lease that lapsed
 * is not renewed: another replica may already have counted its slot as free.
 */
export async function renewStreamLeases(
  db: Queryable,
  input: { holder: string; leaseSeconds: number },
): Promise<string[]> {
  const { rows } = await db.query<{ id: string }>(
    `UPDATE stream_leases SET expires_at = now() + make_interval(secs => $2)
     WHERE holder = $1 AND expires_at > now() RETURNING id`,
    [input.holder, input.leaseSeconds],
  );
  return rows.map((row) => row.id);
}

/** Deletes every lapsed lease, of any org and any holder (dead replicas leave them behind). */
export async function deleteLapsedStreamLeases(db: Queryable): Promise<void> {
  await db.query('DELETE FROM stream_leases WHERE expires_at <= now()');
}

export async function deleteStreamLease(db: Queryable, id: string): Promise<void> {
  await db.query('DELETE FROM stream_leases WHERE id = $1', [id]);
}

export async function deleteStreamLeasesOf(db: Queryable, holder: string): Promise<void> {
  await db.query('DELETE FROM stream_leases WHERE holder = $1', [holder]);
}

import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/eventually.ts';
import { createTestDatabase } from '../../test/support/test-database.ts';
import { createDatabase, type Database } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { createStreamSlots, type StreamLease, type StreamSlots } from './stream-slots.ts';

// Several slot counters on one real database stand in for API replicas: the limit is the org's.

describe('stream slots counted in PostgreSQL', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function aDatabaseWithAnOrg(): Promise<{ db: Database; orgId: string }> {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const db = createDatabase(database.url, { log: pino({ level: 'silent' }) });
    cleanups.push(() => db.end());
    await migrate(db);
    const { rows } = await db.query<{ id: string }>(
      "INSERT INTO orgs (slug, display_name) VALUES ('acme', 'Acme') RETURNING id",
    );
    return { db, orgId: (rows[0] as { id: string }).id };
  }

  function aReplica(db: Database, options: { maxPerOrg?: number; leaseSeconds?: number } = {}): StreamSlots {
    const slots = createStreamSlots({
      db,
      maxPerOrg: options.maxPerOrg ?? 5,
      leaseSeconds: options.leaseSeconds ?? 30,
      log: pino({ level: 'silent' }),
    });
    cleanups.push(() => slots.close());
    return slots;
  }

  const leaseRows = async (db: Database) =>
    (await db.query<{ id: string; expires_at: Date }>('SELECT id, expires_at FROM stream_leases ORDER BY id')).rows;

  it('grants exactly the limit to 30 acquisitions racing on three replicas', async () => {
    const { db, orgId } = await aDatabaseWithAnOrg();
    const replicas = [aReplica(db), aReplica(db), aReplica(db)];

    const leases = await Promise.all(
      Array.from({ length: 30 }, (_, index) =>
        (replicas[index % 3] as StreamSlots).tryAcquire(orgId, { onLapse: () => undefined }),
      ),
    );

    expect(leases.filter((lease) => lease !== undefined)).toHaveLength(5);
    expect(await leaseRows(db)).toHaveLength(5);
  });

  it('gives a released slot to another replica', async () => {
    const { db, orgId } = await aDatabaseWithAnOrg();
    const [first, second] = [aReplica(db, { maxPerOrg: 1 }), aReplica(db, { maxPerOrg: 1 })];
    const lease = (await first.tryAcquire(orgId, { onLapse: () => undefined })) as StreamLease;
    const refused = await second.tryAcquire(orgId, { onLapse: () => undefined });

    lease.release();

    expect(refused).toBeUndefined();
    await eventually(async () => expect(await second.tryAcquire(orgId, { onLapse: () => undefined })).toBeDefined());
  });

  it('renews its live leases with a heartbeat every third of the lease time', async () => {
    const { db, orgId } = await aDatabaseWithAnOrg();
    const replica = aReplica(db, { leaseSeconds: 1 });
    await replica.tryAcquire(orgId, { onLapse: () => undefined });
    const [acquired] = await leaseRows(db);

    const renewed = await eventually(async () => {
      const [row] = await leaseRows(db);
      expect(row?.expires_at.getTime()).toBeGreaterThan(acquired?.expires_at.getTime() as number);
      return row;
    });

    expect(renewed?.id).toBe(acquired?.id);
  });

  it('counts no lapsed lease: a dead replica stops holding slots once its leases expire', async () => {
    const { db, orgId } = await aDatabaseWithAnOrg();
    const survivor = aReplica(db, { maxPerOrg: 1 });
    // A replica that died: its lease row stays, and nobody renews it.
    await db.query(
      "INSERT INTO stream_leases (id, org_id, holder, expires_at) VALUES (gen_random_uuid(), $1, 'dead', now() + interval '1 hour')",
      [orgId],
    );
    const whileHeld = await survivor.tryAcquire(orgId, { onLapse: () => undefined });

    await db.query("UPDATE stream_leases SET expires_at = now() - interval '1 second' WHERE holder = 'dead'");
    const afterLapse = await survivor.tryAcquire(orgId, { onLapse: () => undefined });

    expect(whileHeld).toBeUndefined();
    expect(afterLapse).toBeDefined();
    expect((await db.query("SELECT 1 FROM stream_leases WHERE holder = 'dead'")).rowCount).toBe(0);
  });

  it('tells the holder of a lease that lapsed before its heartbeat, and does not revive it', async () => {
    const { db, orgId } = await aDatabaseWithAnOrg();
    const replica = aReplica(db, { leaseSeconds: 1 });
    let lapses = 0;
    await replica.tryAcquire(orgId, { onLapse: () => lapses++ });

    // As if the database had been out of reach for longer than the lease.
    await db.query("UPDATE stream_leases SET expires_at = now() - interval '1 second'");

    await eventually(() => expect(lapses).toBe(1));
    expect(await leaseRows(db)).toEqual([]);
  });

  it('frees every slot of a replica that closes', async () => {
    const { db, orgId } = await aDatabaseWithAnOrg();
    const [leaving, staying] = [aReplica(db), aReplica(db)];
    for (let index = 0; index < 3; index++) await leaving.tryAcquire(orgId, { onLapse: () => undefined });
    await staying.tryAcquire(orgId, { onLapse: () => undefined });

    await leaving.close();

    expect(await leaseRows(db)).toHaveLength(1);
  });
});

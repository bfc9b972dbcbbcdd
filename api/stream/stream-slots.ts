import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { type Database, inTransaction } from '../db/database.ts';
import {
  deleteLapsedStreamLeases,
  deleteStreamLease,
  deleteStreamLeasesOf,
  insertStreamLeaseIfRoom,
  lockOrgStreamLeases,
  renewStreamLeases,
} from '../stores/stream-leases-store.ts';

/** One open stream's slot. */
export interface StreamLease {
  /** Frees the slot at once for this process and, as soon as the database answers, for every replica. */
  release(): void;
}

/**
 * Counts each org's open streams in PostgreSQL and refuses one past `maxPerOrg` (seed 003: 5
 * concurrent streaming connections), so the limit holds across every API replica. Each open
 * stream holds a lease row that this process renews every third of `leaseSeconds`: a replica that
 * dies without releasing its streams stops counting against them once their leases lapse.
 * Acquiring takes the org's advisory lock, then counts and inserts, so concurrent acquisitions on
 * any replicas never see the same free slot.
 */
export function createStreamSlots(deps: { db: Database; maxPerOrg: number; leaseSeconds: number; log: Logger }) {
  const { db, maxPerOrg, leaseSeconds } = deps;
  const log = deps.log.child({ component: 'stream-slots' });
  // Random per process: a restarted replica never renews the leases its predecessor left to lapse.
  const holder = `${hostname()}:${process.pid}:${randomUUID()}`;
  const held = new Map<string, { onLapse: () => void }>();
  const releases = new Set<Promise<void>>();
  let isRenewing = false;
  let isClosed = false;

  const heartbeat = setInterval(() => void renew(), (leaseSeconds * 1000) / 3);
  heartbeat.unref();

  async function renew(): Promise<void> {
    if (isRenewing || held.size === 0) return;
    isRenewing = true;
    // Only leases held before the renewal was sent can be missing from its answer for a reason.
    const checked = [...held.keys()];
    try {
      const renewed = new Set(await renewStreamLeases(db, { holder, leaseSeconds }));
      for (const id of checked) {
        const lease = held.get(id);
        if (!lease || renewed.has(id)) continue;
        // It lapsed while the database was out of reach: its slot may be someone else's now.
        held.delete(id);
        log.warn({ leaseId: id }, 'stream lease lapsed before it could be renewed');
        lease.onLapse();
      }
      await deleteLapsedStreamLeases(db);
    } catch (err) {
      log.warn({ err, leases: held.size }, 'stream leases not renewed; trying again at the next heartbeat');
    } finally {
      isRenewing = false;
    }
  }

  function forget(id: string): void {
    held.delete(id);
    const deleting = deleteStreamLease(db, id)
      .catch((err: unknown) => log.warn({ err, leaseId: id }, 'stream lease not released; it lapses on its own'))
      .finally(() => releases.delete(deleting));
    releases.add(deleting);
  }

  return {
    /**
     * A lease on one of the org's slots, or undefined when the org already has `maxPerOrg` live
     * ones. `onLapse` is called if the lease lapses while held (this process could not renew it in
     * time): the stream has lost its slot and should end.
     */
    async tryAcquire(orgId: string, options: { onLapse: () => void }): Promise<StreamLease | undefined> {
      const id = randomUUID();
      const acquired = await inTransaction(db, async (client) => {
        await lockOrgStreamLeases(client, orgId);
        return insertStreamLeaseIfRoom(client, { id, orgId, holder, leaseSeconds, maxPerOrg });
      });
      if (!acquired) return undefined;
      if (isClosed) {
        forget(id);
        return undefined;
      }
      held.set(id, { onLapse: options.onLapse });
      let isReleased = false;
      return {
        release() {
          if (isReleased) return;
          isReleased = true;
          forget(id);
        },
      };
    },

    /** Stops the heartbeat and frees every slot this process holds, e.g. on shutdown. */
    async close(): Promise<void> {
      isClosed = true;
      clearInterval(heartbeat);
      held.clear();
      await Promise.allSettled([...releases]);
      await deleteStreamLeasesOf(db, holder).catch((err: unknown) =>
        log.warn({ err }, 'stream leases not released at shutdown; they lapse on their own'),
      );
    },
  };
}
export type StreamSlots = ReturnType<typeof createStreamSlots>;

import type { Logger } from 'pino';
import type { Database } from '../db/database.ts';
import type { OrgAccess } from '../http/principal.ts';
import {
  type AuditEntry,
  type AuditEntryInput,
  insertAuditEntry,
  listAuditEntries,
  sweepAuditLog,
} from '../stores/audit-log-store.ts';
import { createPeriodicSweep } from './periodic-sweep.ts';

export type { AuditActor, AuditEntryInput, AuditSummaryValue } from '../stores/audit-log-store.ts';

// The sweep deletes by day; once an hour keeps the table within an hour of its retention.
const sweepIntervalMs = 60 * 60_000;

export interface AuditQuery {
  actor?: string;
  action?: string;
  from?: Date;
  to?: Date;
  cursor?: string;
  limit: number;
}

/**
 * The audit log (issue 15, README "Audit log"). `record` is the API other code calls to append an
 * entry: the request middleware (api/http/audit-requests.ts) calls it once per state-changing
 * call, and code with an event outside a Koa request (the WebSocket's refused revoked key, a
 * sign-in flow finishing on a redirect) calls it directly. Summaries must hold allow-listed fields
 * only, never a body, token or key.
 *
 * An entry is written after the call it records has its answer, without making the caller wait:
 * a failed insert never turns a change that succeeded into an error, and it is logged at error
 * level with the whole entry (which holds no secret), so an operator can enter it by hand.
 */
export function createAuditService(deps: { db: Database; retentionDays: number; log: Logger }) {
  const log = deps.log.child({ component: 'audit-log' });
  const inFlight = new Set<Promise<void>>();

  async function settled(): Promise<void> {
    while (inFlight.size > 0) await Promise.all([...inFlight]);
  }

  const retention = createPeriodicSweep({
    intervalMs: sweepIntervalMs,
    run: async () => {
      const deleted = await sweepAuditLog(deps.db, deps.retentionDays);
      if (deleted > 0) log.info({ deleted, retentionDays: deps.retentionDays }, 'audit entries past retention deleted');
    },
    onError: (err) => log.error({ err }, 'audit retention sweep failed'),
  });

  return {
    /** Appends `entry` in the background; `settled()` waits for it. Never throws. */
    record(entry: AuditEntryInput): void {
      const write = insertAuditEntry(deps.db, entry).catch((err: unknown) => {
        log.error({ err, entry }, 'audit entry lost: it could not be written');
      });
      inFlight.add(write);
      void write.finally(() => inFlight.delete(write));
    },

    /** Resolves once every entry recorded so far is written (or logged as lost). */
    settled,

    /** One page of the org's entries, newest first; `nextCursor` continues it, null at the end. */
    async list(access: OrgAccess, query: AuditQuery): Promise<{ entries: AuditEntry[]; nextCursor: string | null }> {
      // The cursor is the id of the last entry shown (AuditQuery's pattern makes sure it is one).
      const beforeId = query.cursor;
      const rows = await listAuditEntries(deps.db, {
        orgId: access.orgId,
        actorId: query.actor,
        action: query.action,
        from: query.from,
        to: query.to,
        beforeId,
        limit: query.limit + 1,
      });
      const entries = rows.slice(0, query.limit);
      const last = entries.at(-1);
      return { entries, nextCursor: rows.length > query.limit && last ? last.id : null };
    },

    /** Deletes entries past retention now, and then every hour until `stop()`. */
    startSweep(): void {
      void retention.sweep();
      retention.start();
    },

    sweep: retention.sweep,

    async stop(): Promise<void> {
      await retention.stop();
      await settled();
    },
  };
}
export type AuditService = ReturnType<typeof createAuditService>;

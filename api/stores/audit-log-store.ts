import type { Queryable } from '../db/database.ts';

/** Who made a call: a signed-in user, an org's API key, or nobody known (a refused sign-in). */
export type AuditActor = { kind: 'user'; id: string } | { kind: 'api_key'; id: string } | { kind: 'anonymous' };

/** A summary value: short primitives or a list of names, never an object a secret could hide in. */
export type AuditSummaryValue = string | number | boolean | null | string[];

export interface AuditEntryInput {
  /** The org the entry belongs to, by id or by slug (resolved when written; unknown: none). */
  org?: { id: string } | { slug: string };
  actor: AuditActor;
  /** `agent.deploy`, `auth.logout`, …: what was done, in words a filter can use. */
  action: string;
  method?: string;
  /** The route template, `/api/v1/orgs/{slug}/agents/{name}/deploy`. */
  route?: string;
  /** What was acted on: an agent's name, a key's id, a provider. */
  target?: string | null;
  summary?: Record<string, AuditSummaryValue>;
  /** The HTTP status answered (the outcome). */
  status: number;
  requestId?: string;
  sourceIp?: string;
}

export interface AuditEntry {
  id: string;
  at: Date;
  orgId: string | null;
  actor: AuditActor;
  action: string;
  method: string | null;
  route: string | null;
  target: string | null;
  summary: Record<string, AuditSummaryValue>;
  status: number;
  requestId: string | null;
  sourceIp: string | null;
}

interface AuditRow {
  id: string;
  at: Date;
  org_id: string | null;
  actor_kind: AuditActor['kind'];
  actor_id: string | null;
  action: string;
  method: string | null;
  route: string | null;
  target: string | null;
  summary: Record<string, AuditSummaryValue>;
  status: number;
  request_id: string | null;
  source_ip: string | null;
}

const toEntry = (row: AuditRow): AuditEntry => ({
  id: row.id,
  at: row.at,
  orgId: row.org_id,
  actor: row.actor_kind === 'anonymous' ? { kind: 'anonymous' } : { kind: row.actor_kind, id: row.actor_id ?? '' },
  action: row.action,
  method: row.method,
  route: row.route,
  target: row.target,
  summary: row.summary,
  status: row.status,
  requestId: row.request_id,
  sourceIp: row.source_ip,
});

/** Appends one entry; an org given by slug is looked up in the same statement. */
export async function insertAuditEntry(db: Queryable, entry: AuditEntryInput): Promise<void> {
  const org = entry.org;
  await db.query(
    `INSERT INTO audit_log (org_id, actor_kind, actor_id, action, method, route, target, summary, status, request_id, source_ip)
     VALUES (COALESCE($1::uuid, (SELECT id FROM orgs WHERE slug = $2)), $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
    [
      org && 'id' in org ? org.id : null,
      org && 'slug' in org ? org.slug : null,
      entry.actor.kind,
      entry.actor.kind === 'anonymous' ? null : entry.actor.id,
      entry.action,
      entry.method ?? null,
      entry.route ?? null,
      entry.target ?? null,
      JSON.stringify(entry.summary ?? {}),
      entry.status,
      entry.requestId ?? null,
      entry.sourceIp ?? null,
    ],
  );
}

export interface AuditFilter {
  orgId: string;
  /** A user id or an API key id. */
  actorId?: string;
  action?: string;
  from?: Date;
  /** Exclusive. */
  to?: Date;
  /** Entries older than this id (the cursor of the previous page). */
  beforeId?: string;
  limit: number;
}

/** The org's entries, newest first, matching every filter given. */
export async function listAuditEntries(db: Queryable, filter: AuditFilter): Promise<AuditEntry[]> {
  // Ordered by the table's bigint id: `id` alone would name the text column of the select list.
  const { rows } = await db.query<AuditRow>(
    `SELECT id::text, at, org_id, actor_kind, actor_id, action, method, route, target, summary, status, request_id, source_ip
       FROM audit_log
      WHERE org_id = $1
        AND ($2::text IS NULL OR actor_id = $2)
        AND ($3::text IS NULL OR action = $3)
        AND ($4::timestamptz IS NULL OR at >= $4)
        AND ($5::timestamptz IS NULL OR at < $5)
        AND ($6::bigint IS NULL OR id < $6)
      ORDER BY audit_log.id DESC
      LIMIT $7`,
    [
      filter.orgId,
      filter.actorId ?? null,
      filter.action ?? null,
      filter.from ?? null,
      filter.to ?? null,
      filter.beforeId ?? null,
      filter.limit,
    ],
  );
  return rows.map(toEntry);
}

/** Deletes entries older than `retentionDays` through the one function the table's trigger lets delete. */
export async function sweepAuditLog(db: Queryable, retentionDays: number): Promise<number> {
  const { rows } = await db.query<{ deleted: string }>('SELECT sweep_audit_log($1)::text AS deleted', [retentionDays]);
  return Number(rows[0]?.deleted ?? 0);
}

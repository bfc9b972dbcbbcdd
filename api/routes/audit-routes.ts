import { z } from 'zod';
import { orgRoute } from '../http/api-route.ts';
import { managers } from '../http/principal.ts';
import { AuditPage, AuditQuery } from '../schemas/audit-entry.ts';
import type { AuditService } from '../services/audit-service.ts';
import type { AuditEntry } from '../stores/audit-log-store.ts';

const viewOf = (entry: AuditEntry) => ({
  id: entry.id,
  at: entry.at.toISOString(),
  actor: { kind: entry.actor.kind, id: entry.actor.kind === 'anonymous' ? null : entry.actor.id },
  action: entry.action,
  method: entry.method,
  route: entry.route,
  target: entry.target,
  summary: entry.summary,
  status: entry.status,
  request_id: entry.requestId,
  source_ip: entry.sourceIp,
});

// Who did what is for the org's managers: members see neither the log nor who holds which key.
export function auditRoutes(audit: AuditService) {
  return [
    orgRoute({
      method: 'get',
      path: '/orgs/{slug}/audit',
      summary: "The org's audit log: every state-changing call and auth event, newest first",
      description:
        'One entry per POST, PUT, PATCH or DELETE call under /api/v1 (refused ones too, with their ' +
        'status) and per auth event of the org (sign-in, refresh, refresh-token reuse, logout, use of a ' +
        'revoked API key). Filters combine; pages follow next_cursor. Entries are kept ' +
        'ASTROMESH_AUDIT_RETENTION_DAYS days.',
      tag: 'Audit',
      roles: managers,
      params: z.object({ slug: z.string() }),
      query: AuditQuery,
      response: AuditPage,
      handle: async ({ access, query }): Promise<AuditPage> => {
        const page = await audit.list(access, {
          actor: query.actor,
          action: query.action,
          from: query.from === undefined ? undefined : new Date(query.from),
          to: query.to === undefined ? undefined : new Date(query.to),
          cursor: query.cursor,
          limit: query.limit,
        });
        return { entries: page.entries.map(viewOf), next_cursor: page.nextCursor };
      },
    }),
  ];
}

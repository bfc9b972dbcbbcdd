import { z } from 'zod';
import { queryInteger } from '../../runtime/server/query-integer.ts';

const Timestamp = z.iso.datetime({ offset: true, error: 'must be an ISO 8601 time, e.g. 2026-12-01T00:00:00Z' });

/** GET /orgs/{slug}/audit: every filter optional; the cursor comes from the previous page. */
export const AuditQuery = z.object({
  actor: z.string().min(1).max(100).optional().describe('A user id or an API key id: entries of that actor only.'),
  action: z
    .string()
    .max(100)
    .regex(/^[a-z0-9_.]+$/, 'must be an action name such as agent.deploy')
    .optional()
    .describe('An action name, e.g. agent.deploy, api_key.revoke, auth.logout.'),
  from: Timestamp.optional().describe('Entries at or after this time.'),
  to: Timestamp.optional().describe('Entries before this time.'),
  // A pattern every cursor the API gives matches, and that no other value does but an id of an
  // entry (gone or not): a schema-valid cursor is never refused, and 18 digits stay within bigint.
  cursor: z
    .string()
    .regex(/^[1-9][0-9]{0,17}$/, 'must be the next_cursor of the previous page')
    .optional()
    .describe('next_cursor of the previous page: the entries older than the last one it showed.'),
  limit: queryInteger({ min: 1, max: 200, default: 50 }),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

const SummaryValue = z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(z.string())]);

export const AuditEntryView = z.object({
  id: z.string(),
  at: z.string().describe('When the call was answered (ISO 8601, UTC).'),
  actor: z.object({
    kind: z.enum(['user', 'api_key', 'anonymous']),
    id: z.string().nullable().describe('The user id or API key id; null for anonymous.'),
  }),
  action: z.string().describe('What was done: agent.deploy, api_key.create, auth.refresh_reuse_detected, …'),
  method: z.string().nullable(),
  route: z.string().nullable().describe('The route template, e.g. /api/v1/orgs/{slug}/agents/{name}/deploy.'),
  target: z.string().nullable().describe('What was acted on: an agent name, an API key id, a provider, an email.'),
  summary: z
    .record(z.string(), SummaryValue)
    .describe('Allow-listed fields of the change (never secrets, prompts or bodies).'),
  status: z.int().describe('The HTTP status answered: the outcome.'),
  request_id: z.string().nullable(),
  source_ip: z.string().nullable(),
});
export type AuditEntryView = z.infer<typeof AuditEntryView>;

export const AuditPage = z.object({
  entries: z.array(AuditEntryView).describe('Newest first.'),
  next_cursor: z.string().nullable().describe('Pass as ?cursor= for the next page; null on the last page.'),
});
export type AuditPage = z.infer<typeof AuditPage>;

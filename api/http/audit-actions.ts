import type { AuditSummaryValue } from '../stores/audit-log-store.ts';

/** What a summarizer sees of a call: the path's parameters, the body as the route parsed it, the answer. */
export interface AuditedCall {
  params: Record<string, string>;
  /** The body after the route's schema (unknown fields dropped); undefined when it did not parse. */
  body: unknown;
  /** The response body: read for an id the call created, never stored as is. */
  answer: unknown;
}

export interface AuditAction {
  /** `agent.deploy`: the name GET /orgs/{slug}/audit?action= filters on. */
  action: string;
  /** What was acted on; by default the path's agent name, key id or provider. */
  target?: (call: AuditedCall) => string | undefined;
  /** An allow-list of fields, each picked by name: never a body as is, never a secret. */
  summary?: (call: AuditedCall) => Record<string, AuditSummaryValue>;
}

const maxTextLength = 200;

/** `object[key]` when it is a short string, number or boolean; anything else is left out. */
function field(object: unknown, ...path: string[]): AuditSummaryValue | undefined {
  let value: unknown = object;
  for (const key of path)
    value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
  if (typeof value === 'string') return value.slice(0, maxTextLength);
  return typeof value === 'number' || typeof value === 'boolean' ? value : undefined;
}

function text(object: unknown, ...path: string[]): string | undefined {
  const value = field(object, ...path);
  return typeof value === 'string' ? value : undefined;
}

/** The fields given that hold a value: `{ role: 'admin' }`, with absent ones left out. */
function picked(fields: Record<string, AuditSummaryValue | undefined>): Record<string, AuditSummaryValue> {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)) as Record<
    string,
    AuditSummaryValue
  >;
}

/** A limit as set: its number, or `none` when it was lifted (null). */
function limit(body: unknown, key: string): AuditSummaryValue | undefined {
  return field(body, key) ?? (typeof body === 'object' && body !== null && key in body ? 'none' : undefined);
}

const dailyLimits = (body: unknown) =>
  picked({ daily_runs: limit(body, 'daily_runs'), daily_tokens: limit(body, 'daily_tokens') });

/** The names (never the values) of what a partial update changes: `['step2.system_prompt']`. */
function changedFields(body: unknown): string[] {
  if (typeof body !== 'object' || body === null) return [];
  return Object.entries(body).flatMap(([key, value]) =>
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? Object.keys(value).map((inner) => `${key}.${inner}`)
      : [key],
  );
}

/**
 * The audit action of every state-changing route, keyed `METHOD /path` as the route registry
 * writes them. A route missing here is still audited (as `post /its/path`, target from the path,
 * no summary), and the registry test (test/api/audit-log.test.ts) fails until it is added.
 * Summaries read the body only after the route's schema parsed it, and pick fields by name: a
 * provider key, an API key's secret, tokens and prompts never reach the log.
 */
export const auditActions: Readonly<Record<string, AuditAction>> = {
  'POST /auth/dev/login': { action: 'auth.dev_login', summary: ({ body }) => picked({ email: field(body, 'email') }) },
  'POST /auth/refresh': { action: 'auth.refresh' },
  'POST /auth/logout': { action: 'auth.logout' },
  'POST /auth/google': { action: 'auth.google' },
  'POST /auth/github': { action: 'auth.github' },
  'PATCH /orgs/{slug}': {
    action: 'org.update',
    target: ({ params }) => params.slug,
    summary: ({ body }) => picked({ display_name: field(body, 'display_name') }),
  },
  'POST /orgs/{slug}/members/invite': {
    action: 'member.invite',
    target: ({ body }) => text(body, 'email'),
    summary: ({ body }) => picked({ role: field(body, 'role') }),
  },
  'POST /orgs/{slug}/agents': {
    action: 'agent.create',
    target: ({ body }) => text(body, 'name'),
    summary: ({ body }) => picked({ model: field(body, 'step1', 'model'), display_name: field(body, 'display_name') }),
  },
  'PUT /orgs/{slug}/agents/{name}': {
    action: 'agent.update',
    summary: ({ body }) => ({ fields: changedFields(body) }),
  },
  'DELETE /orgs/{slug}/agents/{name}': { action: 'agent.delete' },
  'POST /orgs/{slug}/agents/{name}/deploy': { action: 'agent.deploy' },
  'POST /orgs/{slug}/agents/{name}/pause': { action: 'agent.pause' },
  'POST /orgs/{slug}/agents/{name}/rollback': {
    action: 'agent.rollback',
    summary: ({ body }) => picked({ version: field(body, 'version') }),
  },
  'POST /orgs/{slug}/agents/compile': { action: 'agent.compile', target: ({ body }) => text(body, 'name') },
  'POST /orgs/{slug}/agents/{name}/run': { action: 'agent.run' },
  'POST /orgs/{slug}/agents/{name}/test': { action: 'agent.test' },
  'POST /orgs/{slug}/agents/{name}/runs': {
    action: 'run.start',
    target: ({ answer }) => text(answer, 'id'),
    summary: ({ params }) => picked({ agent: params.name }),
  },
  'POST /orgs/{slug}/runs/{run_id}/cancel': { action: 'run.cancel', target: ({ params }) => params.run_id },
  'POST /orgs/{slug}/agents/{name}/schedules': {
    action: 'schedule.create',
    target: ({ answer }) => text(answer, 'id'),
    summary: ({ params, body }) =>
      picked({
        agent: params.name,
        cron: field(body, 'cron'),
        timezone: field(body, 'timezone'),
        enabled: field(body, 'enabled'),
      }),
  },
  'PATCH /orgs/{slug}/agents/{name}/schedules/{schedule_id}': {
    action: 'schedule.update',
    target: ({ params }) => params.schedule_id,
    summary: ({ params, body }) => picked({ agent: params.name, fields: changedFields(body) }),
  },
  'DELETE /orgs/{slug}/agents/{name}/schedules/{schedule_id}': {
    action: 'schedule.delete',
    target: ({ params }) => params.schedule_id,
    summary: ({ params }) => picked({ agent: params.name }),
  },
  'POST /orgs/{slug}/v1/chat/completions': {
    action: 'agent.chat_completion',
    target: ({ body }) => text(body, 'model'),
    summary: ({ body }) => picked({ stream: field(body, 'stream') }),
  },
  'POST /orgs/{slug}/a2a/{name}': {
    action: 'agent.a2a_message',
    summary: ({ body }) => picked({ method: field(body, 'method') }),
  },
  // MCP: every POST is one JSON-RPC message (initialize, tools/list...); a tools/call is a run of the agent it names.
  'POST /orgs/{slug}/mcp': {
    action: 'mcp.call',
    target: ({ body }) => (field(body, 'method') === 'tools/call' ? text(body, 'params', 'name') : undefined),
    summary: ({ body }) => picked({ method: field(body, 'method') }),
  },
  'POST /orgs/{slug}/keys': {
    action: 'api_key.create',
    target: ({ answer }) => text(answer, 'id'),
    summary: ({ body }) => picked({ name: field(body, 'name'), role: field(body, 'role') }),
  },
  'DELETE /orgs/{slug}/keys/{key_id}': { action: 'api_key.revoke' },
  'PUT /orgs/{slug}/keys/{key_id}/limits': { action: 'api_key.set_limits', summary: ({ body }) => dailyLimits(body) },
  'PUT /orgs/{slug}/agents/{name}/limits': { action: 'agent.set_limits', summary: ({ body }) => dailyLimits(body) },
  'PUT /orgs/{slug}/budgets/monthly-spend': {
    action: 'budget.set_monthly_spend',
    target: ({ params }) => params.slug,
    summary: ({ body }) => picked({ limit_usd: limit(body, 'limit_usd') }),
  },
  'POST /orgs/{slug}/providers': {
    action: 'provider_key.save',
    target: ({ body }) => text(body, 'provider'),
    // The host only: a gateway URL's path or query may carry a token.
    summary: ({ body }) => picked({ base_url_host: hostOf(text(body, 'base_url')) }),
  },
  'DELETE /orgs/{slug}/providers/{provider}': { action: 'provider_key.delete' },
  // MCP servers: the URL's host only (a path or query may carry a token) and whether the token
  // changed, never the token.
  'PUT /orgs/{slug}/mcp-servers/{server}': {
    action: 'mcp_server.save',
    target: ({ params }) => params.server,
    summary: ({ body }) =>
      picked({
        url_host: hostOf(text(body, 'url')),
        token: tokenChange(body),
        tools: toolCount(body),
      }),
  },
  'DELETE /orgs/{slug}/mcp-servers/{server}': { action: 'mcp_server.delete', target: ({ params }) => params.server },
  // Webhooks: never the secret an answer shows once, nor the template or payload.
  'POST /orgs/{slug}/agents/{name}/webhooks': {
    action: 'webhook.create',
    target: ({ answer }) => text(answer, 'id'),
    summary: ({ params, body }) => picked({ agent: params.name, name: field(body, 'name') }),
  },
  'POST /orgs/{slug}/agents/{name}/webhooks/{webhook_id}/rotate': {
    action: 'webhook.rotate',
    target: ({ params }) => params.webhook_id,
    summary: ({ params, body }) => picked({ agent: params.name, grace_seconds: field(body, 'grace_seconds') }),
  },
  'DELETE /orgs/{slug}/agents/{name}/webhooks/{webhook_id}': {
    action: 'webhook.delete',
    target: ({ params }) => params.webhook_id,
    summary: ({ params }) => picked({ agent: params.name }),
  },
  'POST /hooks/{webhook_id}': {
    action: 'webhook.deliver',
    target: ({ params }) => params.webhook_id,
    summary: ({ answer }) => picked({ agent: field(answer, 'agent'), run_id: field(answer, 'id') }),
  },
};

/** How many tools an MCP server's save limits it to, or `all`; the names are the org's business. */
function toolCount(body: unknown): AuditSummaryValue | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const tools = (body as { tools?: unknown }).tools;
  return Array.isArray(tools) ? tools.length : 'all';
}

/** What a save did to a token: `set`, `removed` (null), or `kept` (left out); never the token. */
function tokenChange(body: unknown): AuditSummaryValue | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const token = (body as { token?: unknown }).token;
  return token === undefined ? 'kept' : token === null ? 'removed' : 'set';
}

function hostOf(url: string | undefined): string | undefined {
  return url === undefined ? undefined : (URL.parse(url)?.host ?? undefined);
}

/** The path's own name for what a call acts on, for routes whose action names no target. */
export function defaultTargetOf(params: Record<string, string>): string | undefined {
  return params.name ?? params.key_id ?? params.provider;
}

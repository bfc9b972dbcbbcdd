import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiRoute } from '../../api/http/api-route.ts';
import { aMemberOf } from '../support/a-member-of.ts';
import { anApiKeyOf } from '../support/an-api-key-of.ts';
import { jsonOf } from '../support/json-of.ts';
import { startTestApi, type TestApi } from '../support/start-test-api.ts';

// Every org-scoped route of the registry, called by org B against org A, must answer one and the
// same 403, whether or not the resource exists, and say nothing of org A. New routes are covered
// as soon as they are registered; a route with a path parameter the matrix does not know fails
// the test until a value is added below.

const agentName = 'support-bot';
const providerKey = 'sk-proj-OrgAConfidentialKey1234Qrst';
const mcpServerToken = 'org-a-mcp-token-Wxyz9876';

/** Path parameter values: one naming something org A has, one naming nothing. */
const pathValues = (orgA: {
  keyId: string;
  runId: string;
  scheduleId: string;
  webhookId: string;
}): Record<string, { existing: string; missing: string }> => ({
  name: { existing: agentName, missing: 'no-such-agent' },
  key_id: { existing: orgA.keyId, missing: 'key_000000000000000000000000' },
  provider: { existing: 'openai', missing: 'groq' },
  n: { existing: '1', missing: '99' },
  run_id: { existing: orgA.runId, missing: '00000000-0000-4000-8000-000000000000' },
  schedule_id: { existing: orgA.scheduleId, missing: '00000000-0000-4000-8000-000000000000' },
  webhook_id: { existing: orgA.webhookId, missing: '00000000-0000-4000-8000-000000000000' },
  server: { existing: 'order-desk', missing: 'no-such-server' },
});

/** Bodies that would succeed if the caller had access, so a refused route provably changed nothing. */
const validBodies: Record<string, unknown> = {
  'post /orgs/{slug}/agents/{name}/webhooks': { name: 'intruder', template: '{{ payload }}' },
  'post /orgs/{slug}/agents/{name}/webhooks/{webhook_id}/rotate': { grace_seconds: 0 },
  'patch /orgs/{slug}': { display_name: 'Taken over' },
  'post /orgs/{slug}/members/invite': { email: 'intruder@example.com', role: 'admin' },
  'post /orgs/{slug}/agents': { name: 'intruder-bot', step1: { model: 'openai/gpt-4o-mini' } },
  'put /orgs/{slug}/agents/{name}': { display_name: 'Taken over' },
  'post /orgs/{slug}/keys': { name: 'intruder', role: 'admin' },
  'post /orgs/{slug}/providers': { provider: 'openai', api_key: 'sk-intruder-abcdefghijklmnop' },
  'post /orgs/{slug}/agents/{name}/run': { query: 'hello' },
  'post /orgs/{slug}/agents/{name}/test': { query: 'hello' },
  'post /orgs/{slug}/a2a/{name}': {
    jsonrpc: '2.0',
    id: 1,
    method: 'SendMessage',
    params: { message: { messageId: 'm1', parts: [{ text: 'hello' }] } },
  },
  'post /orgs/{slug}/agents/{name}/rollback': { version: 1 },
  'post /orgs/{slug}/v1/chat/completions': { model: agentName, messages: [{ role: 'user', content: 'hello' }] },
  'post /orgs/{slug}/agents/{name}/runs': { query: 'hello' },
  'post /orgs/{slug}/mcp': {
    jsonrpc: '2.0',
    id: 1,
    method: 'tools/call',
    params: { name: agentName, arguments: { query: 'hello' } },
  },
  'put /orgs/{slug}/budgets/monthly-spend': { limit_usd: 0 },
  'put /orgs/{slug}/agents/{name}/limits': { daily_runs: 0, daily_tokens: 0 },
  'put /orgs/{slug}/keys/{key_id}/limits': { daily_runs: 0, daily_tokens: 0 },
  'post /orgs/{slug}/agents/{name}/schedules': { cron: '0 9 * * *', input: { query: 'hello' } },
  'patch /orgs/{slug}/agents/{name}/schedules/{schedule_id}': { enabled: false },
  'put /orgs/{slug}/mcp-servers/{server}': { url: 'https://intruder.example.com/mcp', token: 'intruder-token' },
};

describe('the cross-org matrix', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** Org A with something behind every kind of path parameter; org B with a JWT and an admin API key. */
  async function twoOrgs(api: TestApi) {
    const owner = await api.login();
    const as = (path: string, init: RequestInit = {}) =>
      api.request(`/orgs/${owner.org}${path}`, { ...init, token: owner.token });
    await as('', { method: 'PATCH', body: JSON.stringify({ display_name: 'Org A Confidential' }) });
    await as('/agents', {
      method: 'POST',
      body: JSON.stringify({ name: agentName, display_name: 'Org A Bot', step1: { model: 'openai/gpt-4o-mini' } }),
    });
    await as('/providers', { method: 'POST', body: JSON.stringify({ provider: 'openai', api_key: providerKey }) });
    const key = await anApiKeyOf(api, { org: owner.org, token: owner.token, name: 'Org A key' });
    const member = await aMemberOf(api, { org: owner.org, ownerToken: owner.token });
    const me = () => api.request('/orgs/me', { token: owner.token });
    // A finished background run of org A (starting one would need a deployed agent and its runtime).
    const runId = randomUUID();
    await api.db.query(
      `INSERT INTO background_runs (id, org_id, agent_name, status, origin_kind, finished_at, error)
       SELECT $1, id, $2, 'failed', 'api', now(), '{"code":"runtime_unavailable","message":"Org A Confidential"}'
         FROM orgs WHERE slug = $3`,
      [runId, agentName, owner.org],
    );
    // A schedule of org A's agent (a draft: a schedule does not need it deployed).
    const schedule = await as(`/agents/${agentName}/schedules`, {
      method: 'POST',
      body: JSON.stringify({ cron: '0 9 * * *', input: { query: 'Org A Confidential report' } }),
    });
    const scheduleId = (await jsonOf(schedule)).id as string;
    // A webhook of org A's agent (a draft too: its calls would be refused, its management is not).
    const webhook = await as(`/agents/${agentName}/webhooks`, {
      method: 'POST',
      body: '{"name":"Org A Confidential hook"}',
    });
    const webhookId = (await jsonOf(webhook)).id as string;
    // An MCP tool server of org A, with a token.
    await as('/mcp-servers/order-desk', {
      method: 'PUT',
      body: JSON.stringify({ url: 'https://org-a-confidential.example.com/mcp', token: mcpServerToken }),
    });
    const orgA = { slug: owner.org, owner, as, me, key, memberEmail: member.email, runId, scheduleId, webhookId };

    const b = await api.login();
    const bKey = await anApiKeyOf(api, { org: b.org, token: b.token, role: 'admin' });
    const callersFromB = [
      { label: "org B's owner JWT", credentials: { token: b.token } },
      { label: "org B's admin API key", credentials: { apiKey: bKey.secret } },
    ];
    return { orgA, callersFromB };
  }

  /** What org A must never see in an answer to org B. */
  async function traitsOfOrgA(orgA: Awaited<ReturnType<typeof twoOrgs>>['orgA']) {
    const ownerEmail = (await jsonOf(await orgA.as('/members'))).members[0].email as string;
    return [
      ownerEmail,
      orgA.memberEmail,
      'Org A Confidential',
      'Org A Bot',
      'Org A key',
      orgA.key.id,
      orgA.key.prefix,
      providerKey.slice(-4),
      'org-a-confidential.example.com',
      mcpServerToken.slice(-4),
    ];
  }

  /** Org A as its owner sees it: everything the refused calls must have left alone. */
  async function snapshotOf(orgA: Awaited<ReturnType<typeof twoOrgs>>['orgA']) {
    return {
      org: await jsonOf(await orgA.me()),
      agents: await jsonOf(await orgA.as('/agents')),
      members: await jsonOf(await orgA.as('/members')),
      keys: await jsonOf(await orgA.as('/keys')),
      providers: await jsonOf(await orgA.as('/providers')),
      schedules: await jsonOf(await orgA.as(`/agents/${agentName}/schedules`)),
      webhooks: await jsonOf(await orgA.as(`/agents/${agentName}/webhooks`)),
      mcpServers: await jsonOf(await orgA.as('/mcp-servers')),
    };
  }

  it("refuses org B's JWT and API key on every org route of org A with one 403 that reveals nothing", async () => {
    const api = await startTestApi();
    cleanups.push(() => api.stop());
    const { orgA, callersFromB } = await twoOrgs(api);
    const secrets = await traitsOfOrgA(orgA);
    const before = await snapshotOf(orgA);
    const orgRoutes = (api.api.routes as ApiRoute[]).filter((route) => route.auth === 'org');
    const values = pathValues({
      keyId: orgA.key.id,
      runId: orgA.runId,
      scheduleId: orgA.scheduleId,
      webhookId: orgA.webhookId,
    });
    const targets = [
      { label: "org A's existing resources", slug: orgA.slug, pick: 'existing' as const },
      { label: "org A's missing resources", slug: orgA.slug, pick: 'missing' as const },
      { label: 'an org that does not exist', slug: 'no-such-org', pick: 'existing' as const },
    ];
    const expectedFor = (slug: string, route: ApiRoute) => {
      const message = `you have no access to org '${slug}'`;
      // An A2A agent's JSON-RPC endpoint answers a JSON-RPC error, with the same refusal.
      if (route.errorShape === 'jsonrpc')
        return {
          jsonrpc: '2.0',
          id: null,
          error: { code: -32000, message, data: { error: 'forbidden', status: 403 } },
        };
      // The OpenAI-compatible routes answer in OpenAI's error shape, with the same refusal.
      return route.errorShape === 'openai'
        ? { error: { message, type: 'permission_error', param: null, code: 'forbidden' } }
        : { error: 'forbidden', message, status: 403 };
    };
    const failures: string[] = [];

    for (const route of orgRoutes) {
      for (const target of targets) {
        const path = route.path.replace(/\{(\w+)\}/g, (_match, name: string) => {
          if (name === 'slug') return target.slug;
          const value = values[name];
          if (!value) throw new Error(`the matrix has no value for {${name}} in ${route.path}; add one to pathValues`);
          return encodeURIComponent(value[target.pick]);
        });
        const body = validBodies[`${route.method} ${route.path}`] ?? {};
        for (const caller of callersFromB) {
          const response = await api.request(path, {
            method: route.method.toUpperCase(),
            ...(route.method === 'get' || route.method === 'delete' ? {} : { body: JSON.stringify(body) }),
            ...caller.credentials,
          });
          const text = await response.text();
          const where = `${route.method.toUpperCase()} ${route.path} on ${target.label} with ${caller.label}`;
          const leaked = secrets.filter((secret) => text.includes(secret));
          const rateHeaders = [...response.headers.keys()].filter((name) => name.startsWith('x-ratelimit'));
          if (response.status !== 403) failures.push(`${where}: status ${response.status} ${text}`);
          else if (JSON.stringify(JSON.parse(text)) !== JSON.stringify(expectedFor(target.slug, route)))
            failures.push(`${where}: body ${text}`);
          if (leaked.length > 0) failures.push(`${where}: leaks ${leaked.join(', ')}`);
          if (rateHeaders.length > 0) failures.push(`${where}: sends org A's ${rateHeaders.join(', ')}`);
        }
      }
    }
    const after = await snapshotOf(orgA);
    const keyOfOrgA = await api.request(`/orgs/${orgA.slug}/agents`, { apiKey: orgA.key.secret });

    expect(orgRoutes.length).toBeGreaterThanOrEqual(13);
    expect(failures).toEqual([]);
    expect(after).toEqual(before);
    expect(keyOfOrgA.status).toBe(200);
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import type { ApiRoute } from '../../api/http/api-route.ts';
import { aMemberOf } from '../support/a-member-of.ts';
import { anApiKeyOf } from '../support/an-api-key-of.ts';
import { startTestApi } from '../support/start-test-api.ts';

// Members run and read; only owners and admins change the org, invite, and manage agents, API
// keys and provider keys. Checked for every org route of the registry, so a new route gets the
// rule its declared roles say, for a member's JWT and a member-role API key alike.

const managerOnly = [
  'PATCH /orgs/{slug}',
  'POST /orgs/{slug}/members/invite',
  'GET /orgs/{slug}/keys',
  'POST /orgs/{slug}/keys',
  'DELETE /orgs/{slug}/keys/{key_id}',
  'POST /orgs/{slug}/providers',
  'DELETE /orgs/{slug}/providers/{provider}',
  'POST /orgs/{slug}/agents',
  'PUT /orgs/{slug}/agents/{name}',
  'DELETE /orgs/{slug}/agents/{name}',
  'POST /orgs/{slug}/agents/{name}/deploy',
  'POST /orgs/{slug}/agents/{name}/pause',
  'POST /orgs/{slug}/agents/{name}/rollback',
  'GET /orgs/{slug}/budgets',
  'PUT /orgs/{slug}/budgets/monthly-spend',
  'PUT /orgs/{slug}/agents/{name}/limits',
  'PUT /orgs/{slug}/keys/{key_id}/limits',
  'POST /orgs/{slug}/agents/{name}/schedules',
  'PATCH /orgs/{slug}/agents/{name}/schedules/{schedule_id}',
  'DELETE /orgs/{slug}/agents/{name}/schedules/{schedule_id}',
  'GET /orgs/{slug}/agents/{name}/webhooks',
  'POST /orgs/{slug}/agents/{name}/webhooks',
  'GET /orgs/{slug}/agents/{name}/webhooks/{webhook_id}',
  'POST /orgs/{slug}/agents/{name}/webhooks/{webhook_id}/rotate',
  'DELETE /orgs/{slug}/agents/{name}/webhooks/{webhook_id}',
  'PUT /orgs/{slug}/mcp-servers/{server}',
  'DELETE /orgs/{slug}/mcp-servers/{server}',
];
const readableByMembers = [
  'GET /orgs/{slug}/members',
  'GET /orgs/{slug}/providers',
  'GET /orgs/{slug}/agents',
  'GET /orgs/{slug}/agents/{name}/versions',
  'GET /orgs/{slug}/agents/{name}/versions/{n}/diff',
  'GET /orgs/{slug}/a2a/{name}/.well-known/agent-card.json',
  'POST /orgs/{slug}/a2a/{name}',
  'GET /orgs/{slug}/agents/{name}/schedules',
  'GET /orgs/{slug}/agents/{name}/schedules/{schedule_id}',
  'POST /orgs/{slug}/mcp',
  'GET /orgs/{slug}/mcp-servers',
];

const pathValues: Record<string, string> = {
  name: 'support-bot',
  key_id: 'key_000000000000000000000000',
  provider: 'openai',
  n: '1',
  run_id: '00000000-0000-4000-8000-000000000000',
  schedule_id: '00000000-0000-4000-8000-000000000000',
  webhook_id: '00000000-0000-4000-8000-000000000000',
  server: 'order-desk',
};

describe('what a member may do', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('refuses a member JWT and a member API key on every manager route, and not on the others', async () => {
    const api = await startTestApi();
    cleanups.push(() => api.stop());
    const owner = await api.login();
    const member = await aMemberOf(api, { org: owner.org, ownerToken: owner.token });
    const memberKey = await anApiKeyOf(api, { org: owner.org, token: owner.token, role: 'member' });
    const routes = (api.api.routes as ApiRoute[]).filter((route) => route.auth === 'org');
    const nameOf = (route: ApiRoute) => `${route.method.toUpperCase()} ${route.path}`;
    const isForManagers = (route: ApiRoute) => route.roles !== undefined && !route.roles.includes('member');
    const failures: string[] = [];

    for (const route of routes) {
      const path = route.path.replace(/\{(\w+)\}/g, (_match, name: string) => {
        if (name === 'slug') return owner.org;
        const value = pathValues[name];
        if (!value) throw new Error(`no value for {${name}} in ${route.path}; add one to pathValues`);
        return value;
      });
      for (const credentials of [{ token: member.token }, { apiKey: memberKey.secret }]) {
        const response = await api.request(path, {
          method: route.method.toUpperCase(),
          ...(route.method === 'get' || route.method === 'delete' ? {} : { body: '{}' }),
          ...credentials,
        });
        const refused = response.status === 403;
        const who = 'token' in credentials ? 'member JWT' : 'member API key';
        if (isForManagers(route) !== refused) failures.push(`${nameOf(route)} with a ${who}: ${response.status}`);
        await response.body?.cancel();
      }
    }

    expect(failures).toEqual([]);
    expect(routes.filter(isForManagers).map(nameOf)).toEqual(expect.arrayContaining(managerOnly));
    expect(routes.filter((route) => !isForManagers(route)).map(nameOf)).toEqual(
      expect.arrayContaining(readableByMembers),
    );
  });
});

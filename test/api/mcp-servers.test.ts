import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { DeployBackend, OrgDeployment } from '../../api/backends/deploy-backend.ts';
import { createLocalBackend } from '../../api/backends/local/create-local-backend.ts';
import { loadApiConfig } from '../../api/config/api-config.ts';
import { createApi } from '../../api/create-api.ts';
import { inTransaction } from '../../api/db/database.ts';
import { mcpCredentialsOf } from '../../api/services/mcp-servers/mcp-credentials-of.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { aMemberOf } from '../support/a-member-of.ts';
import { jsonOf } from '../support/json-of.ts';
import { post, put } from '../support/post.ts';
import { startTestApi } from '../support/start-test-api.ts';

const remove: RequestInit = { method: 'DELETE' };
const token = 'od-live-7f3a9c2e5b1d4f6a8c0e2b4d';
const deskBot = {
  name: 'desk-bot',
  step1: { model: 'openai/gpt-4o-mini' },
  step2: { system_prompt: 'You answer questions about Acme orders.' },
  step3: { mcp_servers: ['order-desk'] },
};

/**
 * An MCP server over Streamable HTTP built with the official SDK (stateless: a server per
 * request), with one tool, lookup_order; it records the headers of each request and each call.
 */
async function startOrderDeskMcpServer() {
  const requests: IncomingHttpHeaders[] = [];
  const calls: string[] = [];
  const http = createServer(async (req, res) => {
    requests.push(req.headers);
    const server = new McpServer({ name: 'order-desk', version: '1.0.0' });
    server.registerTool(
      'lookup_order',
      { description: 'Looks an Acme order up by its number', inputSchema: { order: z.string() } },
      async ({ order }) => {
        calls.push(order);
        return { content: [{ type: 'text', text: `Order ${order}: shipped on 2 December by parcel post` }] };
      },
    );
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`,
    requests,
    calls,
    close: async () => {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

describe('MCP tool servers of an org', { timeout: 120_000 }, () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /**
   * A test API on the real local backend, which also records every deployment it is given (what
   * the org's runtime receives: compiled agents and credentials), and its signed-in owner.
   */
  async function setup(env: Record<string, string> = {}) {
    const applied: OrgDeployment[] = [];
    const api = await startTestApi({
      env: { ASTROMESH_MCP_ALLOW_PRIVATE_NETWORKS: 'true', ...env },
      backend: ({ stateDir, databaseUrl, log }): DeployBackend => {
        const local = createLocalBackend({ stateDir, memoryUrl: databaseUrl, log });
        return {
          applyOrg: (deployment, options) => {
            applied.push(deployment);
            return local.applyOrg(deployment, options);
          },
          endpointOf: (orgSlug) => local.endpointOf(orgSlug),
          sleep: local.sleep,
          close: () => local.close(),
        };
      },
    });
    cleanups.push(() => api.stop());
    const owner = await api.signIn();
    const lastCredentials = () => applied.at(-1)?.credentials ?? {};
    return { api, owner, as: owner.as, applied, lastCredentials };
  }

  it('creates a server, lists it with its token masked and the agents using it, replaces it and deletes it', async () => {
    const { as, lastCredentials } = await setup();

    const created = await as('/mcp-servers/order-desk', put({ url: 'https://orders.example.com/mcp', token }));
    const createdBody = await jsonOf(created);
    const credentialsAfterCreate = lastCredentials();
    await as('/agents', post(deskBot));
    const listed = await jsonOf(await as('/mcp-servers'));
    const replaced = await jsonOf(
      await as('/mcp-servers/order-desk', put({ url: 'https://orders.example.com/v2/mcp', tools: ['lookup_order'] })),
    );
    const credentialsAfterReplace = lastCredentials();
    const tokenRemoved = await jsonOf(
      await as('/mcp-servers/order-desk', put({ url: 'https://orders.example.com/v2/mcp', token: null })),
    );
    const credentialsAfterRemoval = lastCredentials();
    await as('/agents/desk-bot', remove);
    const deleted = await as('/mcp-servers/order-desk', remove);
    const deletedAgain = await as('/mcp-servers/order-desk', remove);
    const listedAfterDelete = await jsonOf(await as('/mcp-servers'));

    expect(created.status).toBe(200);
    expect(createdBody).toEqual({
      name: 'order-desk',
      url: 'https://orders.example.com/mcp',
      masked_token: '...2b4d',
      tools: null,
      agents: [],
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
    expect(credentialsAfterCreate).toMatchObject({
      MCP_ORDER_DESK_URL: 'https://orders.example.com/mcp',
      MCP_ORDER_DESK_AUTHORIZATION: `Bearer ${token}`,
    });
    expect(listed.mcp_servers).toEqual([{ ...createdBody, agents: ['desk-bot'] }]);
    expect(replaced).toMatchObject({ masked_token: '...2b4d', tools: ['lookup_order'], agents: ['desk-bot'] });
    expect(credentialsAfterReplace).toMatchObject({
      MCP_ORDER_DESK_URL: 'https://orders.example.com/v2/mcp',
      MCP_ORDER_DESK_AUTHORIZATION: `Bearer ${token}`,
    });
    expect(tokenRemoved).toMatchObject({ masked_token: null, tools: null });
    expect(credentialsAfterRemoval.MCP_ORDER_DESK_AUTHORIZATION).toBeUndefined();
    expect(credentialsAfterRemoval.MCP_ORDER_DESK_URL).toBe('https://orders.example.com/v2/mcp');
    expect(deleted.status).toBe(204);
    expect(deletedAgain.status).toBe(404);
    expect(listedAfterDelete.mcp_servers).toEqual([]);
    expect(lastCredentials().MCP_ORDER_DESK_URL).toBeUndefined();
    expect(JSON.stringify([createdBody, listed, replaced])).not.toContain(token.slice(0, -4));
  });

  it('refuses a bad server name or body with a 400 naming the field, and stores nothing', async () => {
    const { api, as } = await setup();
    const url = 'https://orders.example.com/mcp';
    const cases: [string, string, unknown][] = [
      ['server', 'Order_Desk', { url }],
      ['server', 'a'.repeat(41), { url }],
      ['url', 'order-desk', {}],
      ['url', 'order-desk', { url: 'ftp://orders.example.com/mcp' }],
      ['url', 'order-desk', { url: 'https://desk:hunter2@orders.example.com/mcp' }],
      ['url', 'order-desk', { url: `https://orders.example.com/${'a'.repeat(2048)}` }],
      ['token', 'order-desk', { url, token: 'has a space' }],
      ['token', 'order-desk', { url, token: '' }],
      ['tools', 'order-desk', { url, tools: ['lookup_order', 'lookup_order'] }],
      ['tools', 'order-desk', { url, tools: [] }],
      ['body', 'order-desk', { url, command: 'rm -rf /' }],
    ];

    const answers: { status: number; body: { message: string } }[] = [];
    for (const [, server, body] of cases) {
      const response = await as(`/mcp-servers/${server}`, put(body));
      answers.push({ status: response.status, body: await jsonOf(response) });
    }
    const { rows } = await api.db.query('SELECT name FROM mcp_servers');

    cases.forEach(([field], index) => {
      expect(answers[index]?.status, JSON.stringify(answers[index])).toBe(400);
      expect(answers[index]?.body.message).toMatch(new RegExp(`^${field === 'body' ? '' : `${field}: `}`));
    });
    expect(answers.at(-1)?.body.message).toContain('command');
    expect(JSON.stringify(answers)).not.toContain('hunter2');
    expect(rows).toEqual([]);
  });

  it('lets a member list the servers but not change them', async () => {
    const { api, owner, as } = await setup();
    await as('/mcp-servers/order-desk', put({ url: 'https://orders.example.com/mcp', token }));
    const member = await aMemberOf(api, { org: owner.org, ownerToken: owner.token });
    const asMember = (path: string, init: RequestInit = {}) =>
      api.request(`/orgs/${owner.org}${path}`, { ...init, token: member.token });

    const listed = await asMember('/mcp-servers');
    const replaced = await asMember('/mcp-servers/order-desk', put({ url: 'https://evil.example.com/mcp' }));
    const deleted = await asMember('/mcp-servers/order-desk', remove);

    expect(listed.status).toBe(200);
    expect((await jsonOf(listed)).mcp_servers).toMatchObject([{ name: 'order-desk', masked_token: '...2b4d' }]);
    expect([replaced.status, deleted.status]).toEqual([403, 403]);
    expect((await jsonOf(await as('/mcp-servers'))).mcp_servers).toMatchObject([
      { url: 'https://orders.example.com/mcp' },
    ]);
  });

  it('refuses an agent naming a server the org does not have (400 naming the entry), and deleting a server in use (409 naming its agents)', async () => {
    const { as } = await setup();
    await as('/mcp-servers/order-desk', put({ url: 'https://orders.example.com/mcp' }));
    await as('/mcp-servers/wiki', put({ url: 'https://wiki.example.com/mcp' }));

    const unknownOnCreate = await as('/agents', post({ ...deskBot, step3: { mcp_servers: ['order-desk', 'crm'] } }));
    const created = await as('/agents', post(deskBot));
    await as('/agents', post({ ...deskBot, name: 'wiki-bot', step3: { mcp_servers: ['wiki', 'order-desk'] } }));
    const unknownOnUpdate = await as('/agents/desk-bot', put({ step3: { mcp_servers: ['nope'] } }));
    const duplicate = await as('/agents/desk-bot', put({ step3: { mcp_servers: ['wiki', 'wiki'] } }));
    const inUse = await as('/mcp-servers/order-desk', remove);
    const listed = await jsonOf(await as('/mcp-servers'));
    await as('/agents/wiki-bot', put({ step3: { mcp_servers: ['order-desk'] } }));
    const wikiFreed = await as('/mcp-servers/wiki', remove);

    expect(unknownOnCreate.status).toBe(400);
    expect((await jsonOf(unknownOnCreate)).message).toMatch(/^step3\.mcp_servers\[1\]: .*'crm'/);
    expect(created.status).toBe(201);
    expect((await jsonOf(created)).wizard_config.step3).toEqual({ tools: [], mcp_servers: ['order-desk'] });
    expect(unknownOnUpdate.status).toBe(400);
    expect((await jsonOf(unknownOnUpdate)).message).toMatch(/^step3\.mcp_servers\[0\]: .*'nope'/);
    expect(duplicate.status).toBe(400);
    expect((await jsonOf(duplicate)).message).toMatch(/^step3\.mcp_servers: /);
    expect(inUse.status).toBe(409);
    expect(await jsonOf(inUse)).toMatchObject({
      error: 'mcp_server_in_use',
      message: expect.stringContaining("agents 'desk-bot', 'wiki-bot'"),
    });
    expect(
      listed.mcp_servers.map((server: { name: string; agents: string[] }) => [server.name, server.agents]),
    ).toEqual([
      ['order-desk', ['desk-bot', 'wiki-bot']],
      ['wiki', ['wiki-bot']],
    ]);
    expect(wikiFreed.status).toBe(204);
  });

  it("previews an agent's MCP entries as a deploy compiles them, listing a server the org lacks as an issue", async () => {
    const { as } = await setup();
    await as('/mcp-servers/order-desk', put({ url: 'https://orders.example.com/mcp', token, tools: ['lookup_order'] }));

    const preview = await jsonOf(
      await as('/agents/compile', post({ ...deskBot, step3: { mcp_servers: ['order-desk', 'crm'] } })),
    );

    expect(preview.issues).toEqual([
      { field: 'step3.mcp_servers[1]', message: "the org has no MCP server named 'crm'" },
    ]);
    expect(preview.yaml).toContain('MCP_ORDER_DESK_AUTHORIZATION');
    expect(preview.yaml).toContain('lookup_order');
    expect(preview.yaml).not.toContain('orders.example.com');
    expect(preview.yaml).not.toContain(token);
  });

  it('records every change in the audit log, with the URL host and never the token', async () => {
    const { api, as } = await setup();

    await as('/mcp-servers/order-desk', put({ url: 'https://orders.example.com/mcp?key=s3cr3t', token }));
    await as('/mcp-servers/order-desk', put({ url: 'https://orders.example.com/mcp', tools: ['lookup_order'] }));
    await as('/mcp-servers/order-desk', put({ url: 'https://orders.example.com/mcp', token: null }));
    await as('/mcp-servers/order-desk', remove);
    await api.api.services.audit.settled();
    const { rows } = await api.db.query<{ action: string; target: string; status: number; summary: unknown }>(
      "SELECT action, target, status, summary FROM audit_log WHERE action LIKE 'mcp_server.%'",
    );
    const { rows: whole } = await api.db.query<{ text: string }>(
      "SELECT string_agg(a::text, ' ') AS text FROM audit_log a",
    );

    expect(rows).toEqual(
      expect.arrayContaining([
        {
          action: 'mcp_server.save',
          target: 'order-desk',
          status: 200,
          summary: { url_host: 'orders.example.com', token: 'set', tools: 'all' },
        },
        {
          action: 'mcp_server.save',
          target: 'order-desk',
          status: 200,
          summary: { url_host: 'orders.example.com', token: 'kept', tools: 1 },
        },
        {
          action: 'mcp_server.save',
          target: 'order-desk',
          status: 200,
          summary: { url_host: 'orders.example.com', token: 'removed', tools: 'all' },
        },
        { action: 'mcp_server.delete', target: 'order-desk', status: 204, summary: {} },
      ]),
    );
    expect(rows).toHaveLength(4);
    expect(whole[0]?.text).not.toContain(token);
    expect(whole[0]?.text).not.toContain('s3cr3t');
  });

  it('keeps tokens readable across a master-key rotation: resealed under the new key at startup', async () => {
    const oldKey = randomBytes(32).toString('base64');
    const { api, as } = await setup({ ASTROMESH_MASTER_KEY: oldKey });
    await as('/mcp-servers/order-desk', put({ url: 'https://orders.example.com/mcp', token }));
    const newKey = randomBytes(32).toString('base64');
    const configWith = (env: Record<string, string>) =>
      loadApiConfig({
        ASTROMESH_STATE_DIR: api.stateDir,
        ASTROMESH_JWT_SECRET: randomBytes(48).toString('base64'),
        ...env,
      });
    const credentialsWith = (config: ReturnType<typeof configWith>) =>
      inTransaction(api.db, async (client) => {
        const { rows } = await client.query<{ id: string }>('SELECT id FROM orgs');
        return mcpCredentialsOf(config.masterKeys)(client, rows[0]?.id as string).then(
          (credentials) => credentials.MCP_ORDER_DESK_AUTHORIZATION,
          (err: { code?: string }) => err.code,
        );
      });
    const rotating = configWith({
      ASTROMESH_MASTER_KEY: newKey,
      ASTROMESH_MASTER_KEY_ID: 'k2',
      ASTROMESH_PREVIOUS_MASTER_KEYS: `k1:${oldKey}`,
    });
    const newKeyOnly = configWith({ ASTROMESH_MASTER_KEY: newKey, ASTROMESH_MASTER_KEY_ID: 'k2' });

    const beforeReseal = await credentialsWith(newKeyOnly);
    const restarted = createApi({
      config: rotating,
      db: api.db,
      backend: api.api.backend,
      log: pino({ level: 'silent' }),
      now: () => new Date(),
    });
    cleanups.push(() => restarted.close());
    const report = await restarted.services.mcpServers.resealTokens();
    const secondReport = await restarted.services.mcpServers.resealTokens();

    expect(beforeReseal).toBe('mcp_server_token_unreadable');
    expect(report).toEqual({ resealed: 1, unreadable: [] });
    expect(secondReport).toEqual({ resealed: 0, unreadable: [] });
    expect(await credentialsWith(newKeyOnly)).toBe(`Bearer ${token}`);
  });

  it("runs an agent that calls the org's MCP server's tool: the runtime discovers it and the model gets its result", async () => {
    const { as, applied } = await setup();
    const fake = await startFakeProvider('openai');
    cleanups.push(() => fake.close());
    const orders = await startOrderDeskMcpServer();
    cleanups.push(() => orders.close());
    await as('/providers', post({ provider: 'openai', api_key: 'sk-test-key', base_url: fake.baseUrl }));
    const saved = await as('/mcp-servers/order-desk', put({ url: orders.url, token, tools: ['lookup_order'] }));
    expect(saved.status, await saved.clone().text()).toBe(200);
    expect((await as('/agents', post(deskBot))).status).toBe(201);
    const deployed = await as('/agents/desk-bot/deploy', post());
    expect(deployed.status, await deployed.clone().text()).toBe(200);
    fake.enqueue(fakeReply.toolCall('order-desk__lookup_order', { order: 'A-1042' }));
    fake.enqueue(fakeReply.text('Your order A-1042 shipped on 2 December.'));

    const run = await as('/agents/desk-bot/run', post({ query: 'Where is my order A-1042?' }));
    const answer = await jsonOf(run);

    expect(run.status, JSON.stringify(answer)).toBe(200);
    expect(answer.answer).toBe('Your order A-1042 shipped on 2 December.');
    expect(orders.calls).toEqual(['A-1042']);
    expect(orders.requests.every((headers) => headers.authorization === `Bearer ${token}`)).toBe(true);
    const offered = JSON.stringify(fake.requests.at(-2)?.body);
    expect(offered).toContain('order-desk__lookup_order');
    const toolResult = JSON.stringify(fake.requests.at(-1)?.body);
    expect(toolResult).toContain('Order A-1042: shipped on 2 December by parcel post');
    expect(applied.at(-1)?.agents[0]?.spec.tools).toEqual([
      {
        name: 'order-desk',
        type: 'mcp',
        config: {
          url_env: 'MCP_ORDER_DESK_URL',
          headers_env: { Authorization: 'MCP_ORDER_DESK_AUTHORIZATION' },
          tools: ['lookup_order'],
          allow_localhost: true,
          allow_private_network: true,
        },
      },
    ]);
  });
});

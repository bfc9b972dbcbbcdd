import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeReply } from '../fakes/fake-reply.ts';
import { aSupportBot } from '../support/a-support-bot.ts';
import { anApiKeyOf } from '../support/an-api-key-of.ts';
import { jsonOf } from '../support/json-of.ts';
import { post } from '../support/post.ts';
import { startOrgWithADeployedBot } from '../support/start-org-with-a-deployed-bot.ts';
import type { TestApi } from '../support/start-test-api.ts';

// Issue 16, item 2b: each org's deployed agents are MCP tools at its Streamable HTTP endpoint,
// called here with the MCP SDK's own client, authenticated by an API key.

describe('the MCP endpoint', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** An org with support-bot deployed on a fake OpenAI and a draft agent, and a member API key. */
  async function anOrgWithADeployedBot(env?: Record<string, string>) {
    const setup = await startOrgWithADeployedBot((stop) => cleanups.push(stop), {
      env,
      agent: { display_name: 'Support Bot' },
    });
    expect((await setup.owner.as('/agents', post({ ...aSupportBot, name: 'draft-bot' }))).status).toBe(201);
    return setup;
  }

  /** The SDK's client, connected (initialize) to `org`'s endpoint with these headers. */
  async function mcpClient(api: TestApi, org: string, headers: Record<string, string>) {
    const transport = new StreamableHTTPClientTransport(new URL(`${api.url}/api/v1/orgs/${org}/mcp`), {
      requestInit: { headers },
    });
    const client = new Client({ name: 'mcp-endpoint-test', version: '1.0.0' });
    await client.connect(transport);
    cleanups.push(() => client.close());
    return client;
  }

  async function errorOf(promise: Promise<unknown>): Promise<unknown> {
    try {
      await promise;
    } catch (err) {
      return err;
    }
    throw new Error('expected the call to fail');
  }

  it('lists the deployed agents of the org as tools, and neither drafts nor their secrets', async () => {
    const { api, owner, key } = await anOrgWithADeployedBot();
    const client = await mcpClient(api, owner.org, { 'X-API-Key': key.secret });

    const { tools } = await client.listTools();

    expect(client.getServerCapabilities()).toMatchObject({ tools: {} });
    expect(tools.map((tool) => tool.name)).toEqual(['support-bot']);
    expect(tools[0]).toMatchObject({
      name: 'support-bot',
      title: 'Support Bot',
      description: 'Support Bot (Support Agent): Answer questions about Acme orders.',
      inputSchema: {
        type: 'object',
        required: ['query'],
        properties: { query: { type: 'string' }, session_id: { type: 'string' }, context: { type: 'object' } },
      },
      outputSchema: { type: 'object', properties: { answer: { type: 'string' }, session_id: { type: 'string' } } },
    });
    expect(JSON.stringify(tools)).not.toContain('sk-test-key');
  });

  it("calls an agent as a tool with a Bearer API key and answers the fake provider's answer with the run's metadata", async () => {
    const { api, fake, owner, key } = await anOrgWithADeployedBot();
    fake.enqueue(fakeReply.text('Order 77 ships on Monday.', { usage: { inputTokens: 12, outputTokens: 7 } }));
    const client = await mcpClient(api, owner.org, { Authorization: `Bearer ${key.secret}` });
    await client.listTools();

    const result = await client.callTool({
      name: 'support-bot',
      arguments: { query: 'When does order 77 ship?', session_id: 'ide-session-1' },
    });

    expect(result.isError).toBeFalsy();
    expect(result.content).toEqual([{ type: 'text', text: 'Order 77 ships on Monday.' }]);
    expect(result.structuredContent).toMatchObject({
      answer: 'Order 77 ships on Monday.',
      session_id: 'ide-session-1',
      tokens_used: 19,
      input_tokens: 12,
      output_tokens: 7,
      model: 'openai/gpt-4o-mini',
    });
    expect(result.structuredContent).toHaveProperty('cost_usd');
    expect(fake.lastRequest.body.messages).toContainEqual({ role: 'user', content: 'When does order 77 ship?' });
  });

  it('counts each tool call as a run in the usage report and audits it as mcp.call naming the agent', async () => {
    const { api, fake, owner, key } = await anOrgWithADeployedBot();
    fake.enqueue(fakeReply.text('One.', { usage: { inputTokens: 10, outputTokens: 5 } }));
    fake.enqueue(fakeReply.text('Two.', { usage: { inputTokens: 10, outputTokens: 5 } }));
    const client = await mcpClient(api, owner.org, { 'X-API-Key': key.secret });

    await client.callTool({ name: 'support-bot', arguments: { query: 'One?' } });
    await client.callTool({ name: 'support-bot', arguments: { query: 'Two?' } });
    const usage = await jsonOf(await owner.as('/usage?days=1'));
    await api.api.services.audit.settled();
    const audit = await jsonOf(await owner.as('/audit?action=mcp.call'));

    expect(usage).toMatchObject({
      total_requests: 2,
      total_tokens: 30,
      remaining_today: 998,
      by_agent: [{ agent: 'support-bot', requests: 2, tokens: 30 }],
    });
    const calls = audit.entries.filter(
      (entry: { summary: { method?: string } }) => entry.summary.method === 'tools/call',
    );
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({
      action: 'mcp.call',
      actor: { kind: 'api_key', id: key.id },
      target: 'support-bot',
      status: 200,
    });
  });

  it('refuses a call to a draft or unknown agent with the JSON-RPC error -32602 and counts no run', async () => {
    const { api, owner, key } = await anOrgWithADeployedBot();
    const client = await mcpClient(api, owner.org, { 'X-API-Key': key.secret });

    const draft = await errorOf(client.callTool({ name: 'draft-bot', arguments: { query: 'Hi' } }));
    const unknown = await errorOf(client.callTool({ name: 'no-such-bot', arguments: { query: 'Hi' } }));
    const usage = await jsonOf(await owner.as('/usage?days=1'));

    expect(draft).toBeInstanceOf(McpError);
    expect(draft).toMatchObject({ code: ErrorCode.InvalidParams });
    expect((draft as Error).message).toContain(`'draft-bot': it is not a deployed agent of org '${owner.org}'`);
    expect(unknown).toMatchObject({ code: ErrorCode.InvalidParams });
    expect(usage).toMatchObject({ total_requests: 0, remaining_today: 1000 });
  });

  it('answers arguments without a query with a tool error naming the field, and counts no run', async () => {
    const { api, owner, key } = await anOrgWithADeployedBot();
    const client = await mcpClient(api, owner.org, { 'X-API-Key': key.secret });

    const result = await client.callTool({ name: 'support-bot', arguments: { session_id: 'only-a-session' } });
    const usage = await jsonOf(await owner.as('/usage?days=1'));

    expect(result.isError).toBe(true);
    expect(result.content).toEqual([{ type: 'text', text: expect.stringMatching(/^invalid_arguments: query: /) }]);
    expect(usage).toMatchObject({ total_requests: 0 });
  });

  it('answers a call past the daily limit with a tool error saying daily_limit_reached', async () => {
    const { api, fake, owner, key } = await anOrgWithADeployedBot({ ASTROMESH_DAILY_RUNS: '1' });
    fake.enqueue(fakeReply.text('The only answer today.'));
    const client = await mcpClient(api, owner.org, { 'X-API-Key': key.secret });

    const first = await client.callTool({ name: 'support-bot', arguments: { query: 'One?' } });
    const refused = await client.callTool({ name: 'support-bot', arguments: { query: 'Two?' } });

    expect(first.isError).toBeFalsy();
    expect(refused.isError).toBe(true);
    expect(refused.content).toEqual([
      { type: 'text', text: expect.stringMatching(/^daily_limit_reached: the org has used its 1 runs/) },
    ]);
    expect(refused._meta).toEqual({ 'astromesh/error': { code: 'daily_limit_reached', status: 429 } });
    expect(fake.requests).toHaveLength(1);
  });

  it('answers a run the provider fails with a tool error, not a protocol error', async () => {
    const { api, fake, owner, key } = await anOrgWithADeployedBot();
    fake.setDefaultReply(fakeReply.failure(401));
    const client = await mcpClient(api, owner.org, { 'X-API-Key': key.secret });

    const result = await client.callTool({ name: 'support-bot', arguments: { query: 'Hi' } });

    expect(result.isError).toBe(true);
    expect(result.content).toEqual([
      { type: 'text', text: expect.stringMatching(/^providers_unavailable: .*openai\/gpt-4o-mini/) },
    ]);
    expect(result._meta).toEqual({ 'astromesh/error': { code: 'providers_unavailable', status: 503 } });
  });

  it("refuses another org's API key with HTTP 403 and a missing key with HTTP 401", async () => {
    const { api, owner } = await anOrgWithADeployedBot();
    const other = await api.signIn();
    const otherKey = await anApiKeyOf(api, { org: other.org, token: other.token, role: 'admin' });

    const crossOrg = await errorOf(mcpClient(api, owner.org, { 'X-API-Key': otherKey.secret }));
    const anonymous = await errorOf(mcpClient(api, owner.org, {}));

    expect(crossOrg).toBeInstanceOf(StreamableHTTPError);
    expect(crossOrg).toMatchObject({ code: 403 });
    expect((crossOrg as Error).message).not.toContain('support-bot');
    expect(anonymous).toMatchObject({ code: 401 });
  });

  it('refuses a POST that is no MCP message, or does not accept MCP answers, with a 4xx naming what is wrong', async () => {
    const { api, owner, key } = await anOrgWithADeployedBot();
    const mcpAccept = { accept: 'application/json, text/event-stream' };
    const toolsList = { jsonrpc: '2.0', id: 1, method: 'tools/list' };

    const notJsonRpc = await api.request(`/orgs/${owner.org}/mcp`, {
      ...post({ jsonrpc: '1.0', id: 1, method: 'tools/list' }),
      headers: mcpAccept,
      apiKey: key.secret,
    });
    const jsonOnly = await api.request(`/orgs/${owner.org}/mcp`, {
      ...post(toolsList),
      headers: { accept: 'application/json' },
      apiKey: key.secret,
    });
    const listed = await api.request(`/orgs/${owner.org}/mcp`, {
      ...post(toolsList),
      headers: mcpAccept,
      apiKey: key.secret,
    });

    expect(notJsonRpc.status).toBe(400);
    expect(await jsonOf(notJsonRpc)).toMatchObject({
      error: 'invalid_request',
      message: expect.stringMatching(/^body: must be one JSON-RPC 2.0 message/),
    });
    expect(jsonOnly.status).toBe(406);
    expect(await jsonOf(jsonOnly)).toMatchObject({
      error: 'not_acceptable',
      message: expect.stringContaining('text/event-stream'),
    });
    expect(listed.status).toBe(200);
    expect(await jsonOf(listed)).toMatchObject({ jsonrpc: '2.0', id: 1, result: { tools: [{ name: 'support-bot' }] } });
  });

  it('answers GET and DELETE with 405: the endpoint is stateless, with no stream and no session', async () => {
    const { api, owner, key } = await anOrgWithADeployedBot();

    const get = await api.request(`/orgs/${owner.org}/mcp`, { apiKey: key.secret });
    const del = await api.request(`/orgs/${owner.org}/mcp`, { method: 'DELETE', apiKey: key.secret });

    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(await jsonOf(get)).toMatchObject({ error: 'method_not_allowed', status: 405 });
    expect(del.status).toBe(405);
  });
});

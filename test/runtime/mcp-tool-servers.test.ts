import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-provider.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { type FakeMcpServer, startFakeMcpServer } from '../fakes/start-fake-mcp-server.ts';
import { eventually } from '../support/eventually.ts';
import { jsonOf } from '../support/json-of.ts';
import { agentYaml, type TestRuntime } from '../support/start-test-runtime.ts';
import { useRuntimeTestKit } from './use-runtime-test-kit.ts';

const stdioServer = fileURLToPath(new URL('../fakes/fake-mcp-stdio-server.ts', import.meta.url));
const toolsOffered = (fake: FakeProvider, index: number) =>
  ((fake.requests[index]?.body.tools ?? []) as { function: { name: string; parameters: unknown } }[]).map(
    (tool) => tool.function,
  );

describe('tools of type mcp: MCP servers whose tools the runtime discovers and calls', () => {
  const kit = useRuntimeTestKit();

  async function start(
    tools: Record<string, unknown>[],
    options: { credentials?: Record<string, string>; disableMcpStdio?: boolean } = {},
  ): Promise<{ openai: FakeProvider; runtime: TestRuntime }> {
    const openai = await kit.startFake();
    const runtime = await kit.runtime(
      {
        'clerk.yaml': agentYaml('clerk', {
          model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } },
          tools: [{ name: 'calculator' }, ...tools],
        }),
      },
      {
        credentials: { OPENAI_BASE_URL: openai.baseUrl, ...options.credentials },
        disableMcpStdio: options.disableMcpStdio,
      },
    );
    return { openai, runtime };
  }

  async function fakeMcp(): Promise<FakeMcpServer> {
    const server = await startFakeMcpServer();
    kit.cleanups.push(() => server.close());
    return server;
  }

  const run = async (runtime: TestRuntime, query = 'Where is order A-17?') => {
    const response = await runtime.request('/v1/agents/clerk/run', {
      method: 'POST',
      body: JSON.stringify({ query }),
    });
    return { status: response.status, body: await jsonOf(response) };
  };

  it('offers a Streamable HTTP server’s tools as <entry>__<tool>, calls them with the credential headers, and lists them in /v1/tools', async () => {
    const mcp = await fakeMcp();
    const { openai, runtime } = await start(
      [
        {
          name: 'orders',
          type: 'mcp',
          config: {
            url_env: 'ORDERS_MCP_URL',
            headers_env: { Authorization: 'ORDERS_MCP_AUTH' },
            headers: { 'X-Team': 'support' },
            tools: ['lookup_order', 'broken'],
            allow_localhost: true,
          },
        },
      ],
      { credentials: { ORDERS_MCP_URL: mcp.url, ORDERS_MCP_AUTH: 'Bearer mcp-secret-1' } },
    );
    openai.enqueue(
      fakeReply.toolCall('orders__lookup_order', { order_id: 'A-17' }),
      fakeReply.text('Order A-17 has shipped.'),
    );

    const { status, body } = await run(runtime);

    expect(status).toBe(200);
    expect(body.response).toBe('Order A-17 has shipped.');
    expect(body.tool_calls).toEqual([
      {
        tool: 'orders__lookup_order',
        input: { order_id: 'A-17' },
        output: { order_id: 'A-17', status: 'shipped (order A-17)' },
        success: true,
      },
    ]);
    expect(mcp.calls).toEqual(['lookup_order A-17']);
    // The allow-list leaves `slow` out; the server's own schema is what the model sees.
    const offered = toolsOffered(openai, 0);
    expect(offered.map((tool) => tool.name)).toEqual(['calculator', 'orders__lookup_order', 'orders__broken']);
    expect(offered[1]?.parameters).toMatchObject({
      type: 'object',
      properties: { order_id: { type: 'string', description: 'e.g. A-17' } },
      required: ['order_id'],
    });
    expect(mcp.requests.length).toBeGreaterThan(0);
    for (const headers of mcp.requests) {
      expect(headers.authorization).toBe('Bearer mcp-secret-1');
      expect(headers['x-team']).toBe('support');
    }

    const listed = await jsonOf(await runtime.request('/v1/tools'));
    expect(listed.tools).toEqual([
      { name: 'calculator', type: 'builtin', description: expect.any(String), agents: ['clerk'] },
      { name: 'orders__broken', type: 'mcp', description: 'Always fails', agents: ['clerk'], server: 'orders' },
      {
        name: 'orders__lookup_order',
        type: 'mcp',
        description: 'The status of an order, by its id',
        agents: ['clerk'],
        server: 'orders',
      },
    ]);
  });

  it('gives the model a failing tool’s reason, a timeout at the entry’s deadline and a rate limit per server', async () => {
    const mcp = await fakeMcp();
    const { openai, runtime } = await start([
      {
        name: 'orders',
        type: 'mcp',
        config: { url: mcp.url, allow_localhost: true, timeout_seconds: 0.5 },
        rate_limit: { window_seconds: 60, max_calls: 2 },
      },
    ]);
    openai.enqueue(
      fakeReply.toolCalls([
        { name: 'orders__broken', input: {} },
        { name: 'orders__slow', input: {} },
        { name: 'orders__lookup_order', input: { order_id: 'B-2' } },
      ]),
      fakeReply.text('Nothing worked.'),
    );

    const { status, body } = await run(runtime);

    expect(status).toBe(200);
    expect(body.tool_calls.map((call: { output: unknown }) => call.output)).toEqual([
      { error: { code: 'failed', message: 'MCP tool broken failed: the warehouse database is down' } },
      { error: { code: 'timeout', message: 'orders__slow did not finish within 0.5 s' } },
      {
        error: {
          code: 'rate_limited',
          message: expect.stringMatching(/^the tools of MCP server 'orders' allow 2 calls per 60 s together/),
        },
      },
    ]);
    expect(mcp.calls).toEqual(['broken', 'slow']);
  });

  it('refuses a server on the loopback address unless allow_localhost, and the run goes on without its tools', async () => {
    const mcp = await fakeMcp();
    const { openai, runtime } = await start([{ name: 'orders', type: 'mcp', config: { url: mcp.url } }]);
    openai.enqueue(fakeReply.text('I cannot look that up.'));

    const { status, body } = await run(runtime);

    expect(status).toBe(200);
    expect(body.response).toBe('I cannot look that up.');
    expect(toolsOffered(openai, 0).map((tool) => tool.name)).toEqual(['calculator']);
    expect(mcp.requests).toEqual([]);
    const listed = await jsonOf(await runtime.request('/v1/tools'));
    expect(listed.tools).toContainEqual({
      name: 'orders',
      type: 'mcp',
      description: '',
      agents: ['clerk'],
      server: 'orders',
      error: expect.stringMatching(
        /^MCP server 'orders': refused to connect to 127\.0\.0\.1: loopback addresses are not allowed; the agent config can allow it with allow_localhost: true$/,
      ),
    });
  });

  it('gives a run its tools when another run that started the connection is cancelled meanwhile', async () => {
    const mcp = await fakeMcp();
    const { openai, runtime } = await start([
      { name: 'orders', type: 'mcp', config: { url: mcp.url, allow_localhost: true, tools: ['lookup_order'] } },
    ]);
    const activeRuns = async () => (await jsonOf(await runtime.request('/v1/system/status'))).active_runs;
    const release = mcp.hold();
    const client = new AbortController();
    const cancelled = runtime
      .request('/v1/agents/clerk/run', { method: 'POST', body: JSON.stringify({ query: 'Hi' }), signal: client.signal })
      .then(
        () => 'answered',
        (err: Error) => err.name,
      );
    // The first run's initialize request reaches the server and is held there.
    await eventually(() => expect(mcp.requests.length).toBe(1));
    openai.enqueue(fakeReply.text('With the tools.'));
    const waiting = run(runtime);
    await eventually(async () => expect(await activeRuns()).toBe(2));

    client.abort();
    expect(await cancelled).toBe('AbortError');
    await eventually(async () => expect(await activeRuns()).toBe(1));
    release();

    expect((await waiting).status).toBe(200);
    expect(toolsOffered(openai, 0).map((tool) => tool.name)).toEqual(['calculator', 'orders__lookup_order']);
  });

  it('gives up on a server that does not answer at the entry’s deadline, and does not wait on it again at once', async () => {
    // Takes each request and never answers.
    let received = 0;
    const silent = createServer(() => {
      received += 1;
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    kit.cleanups.push(async () => {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    });
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/mcp`;
    const { openai, runtime } = await start([
      { name: 'orders', type: 'mcp', config: { url, allow_localhost: true, timeout_seconds: 0.5 } },
    ]);
    openai.enqueue(fakeReply.text('Without it.'), fakeReply.text('Still without it.'));

    expect((await run(runtime)).status).toBe(200);
    const listed = await jsonOf(await runtime.request('/v1/tools'));
    expect(listed.tools).toContainEqual(
      expect.objectContaining({
        name: 'orders',
        type: 'mcp',
        error: "MCP server 'orders' did not answer within 0.5 s",
      }),
    );
    // Within the retry pause the next run does not ask again: the server gets no new request.
    const requestsSoFar = received;
    expect(requestsSoFar).toBeGreaterThan(0);
    expect((await run(runtime)).status).toBe(200);
    expect(toolsOffered(openai, 1).map((tool) => tool.name)).toEqual(['calculator']);
    expect(received).toBe(requestsSoFar);
  });

  it('offers a tool the server adds while the agent is loaded at the next run (notifications/tools/list_changed)', async () => {
    const mcp = await fakeMcp();
    const { openai, runtime } = await start([
      { name: 'orders', type: 'mcp', config: { url: mcp.url, allow_localhost: true } },
    ]);
    openai.enqueue(fakeReply.text('First.'));
    expect((await run(runtime)).status).toBe(200);
    expect(toolsOffered(openai, 0).map((tool) => tool.name)).not.toContain('orders__refund');

    mcp.addTool('refund', 'refunded');
    openai.enqueue(fakeReply.toolCall('orders__refund', {}), fakeReply.text('Refunded.'));
    // The notification travels on the session's event stream; the next run lists again once it has arrived.
    await expect
      .poll(async () => {
        openai.enqueue(fakeReply.text('Looking.'));
        await run(runtime, 'What can you do?');
        return toolsOffered(openai, openai.requests.length - 1).map((tool) => tool.name);
      })
      .toContain('orders__refund');
  });

  it('starts a stdio server with only the variables it is given, and stops it with the runtime', async () => {
    process.env.ASTROMESH_TEST_RUNTIME_SECRET = 'must-not-leak';
    kit.cleanups.push(async () => {
      delete process.env.ASTROMESH_TEST_RUNTIME_SECRET;
    });
    const { openai, runtime } = await start(
      [
        {
          name: 'local',
          type: 'mcp',
          config: {
            command: process.execPath,
            args: [stdioServer],
            env: { FAKE_MCP_REGION: 'eu' },
            env_credentials: { FAKE_MCP_TOKEN: 'LOCAL_MCP_TOKEN' },
          },
        },
      ],
      { credentials: { LOCAL_MCP_TOKEN: 'stdio-secret-2' } },
    );
    openai.enqueue(
      fakeReply.toolCalls([
        { name: 'local__environment', input: {} },
        { name: 'local__lookup_order', input: { order_id: 'C-3' } },
      ]),
      fakeReply.text('Done.'),
    );

    const { status, body } = await run(runtime);

    expect(status).toBe(200);
    const [environment, order] = body.tool_calls;
    expect(environment.output).toEqual({
      pid: expect.any(Number),
      token: 'stdio-secret-2',
      region: 'eu',
      inherited: [],
    });
    expect(order.output).toEqual({ order_id: 'C-3', status: 'shipped (order C-3)' });
    const pid = environment.output.pid as number;
    expect(isRunning(pid)).toBe(true);
    await runtime.stop();
    await expect.poll(() => isRunning(pid)).toBe(false);
  });

  it('refuses a stdio server on a runtime started with --disable-mcp-stdio, naming the field', async () => {
    const { runtime } = await start(
      [{ name: 'local', type: 'mcp', config: { command: process.execPath, args: [stdioServer] } }],
      { disableMcpStdio: true },
    );
    const listed = await jsonOf(await runtime.request('/v1/agents'));
    expect(listed.agents).toEqual([
      expect.objectContaining({
        name: 'clerk',
        status: 'error',
        error: expect.stringContaining(
          'spec.tools[1].config.command: this runtime runs no stdio MCP servers (--disable-mcp-stdio); use a streamable_http server (url)',
        ),
      }),
    ]);
  });

  it('refuses a config the server cannot be reached with, naming the field', async () => {
    const { runtime } = await start([
      { name: 'a', type: 'mcp', config: {} },
      { name: 'b', type: 'mcp', config: { url: 'ftp://example.com/mcp' } },
      {
        name: 'c',
        type: 'mcp',
        config: { url: 'https://example.com/mcp', command: 'node', transport: 'streamable_http' },
      },
      { name: 'd', type: 'mcp', config: { url: 'https://example.com/mcp', retries: 3 } },
    ]);
    const listed = await jsonOf(await runtime.request('/v1/agents'));
    const error = listed.agents[0].error as string;
    expect(error).toContain(
      'spec.tools[1].config.url: a streamable_http MCP server needs exactly one of url and url_env',
    );
    expect(error).toContain('spec.tools[2].config.url: must be an http:// or https:// URL');
    expect(error).toContain('spec.tools[3].config.command: is for stdio MCP servers only');
    expect(error).toContain('spec.tools[4].config');
    expect(error).toContain('retries');
  });
});

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

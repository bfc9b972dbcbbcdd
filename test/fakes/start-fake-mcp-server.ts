import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';
import { registerFakeMcpTools } from './fake-mcp-tools.ts';

export interface FakeMcpServer {
  /** The MCP endpoint, http://127.0.0.1:PORT/mcp. */
  url: string;
  /** Each tool call received, as "tool argument". */
  calls: string[];
  /** The headers of every HTTP request received. */
  requests: IncomingHttpHeaders[];
  /** Adds a tool to every session: the SDK tells each client its list changed. */
  addTool(name: string, answer: string): void;
  /** Holds every request that arrives from now on (after recording it) until the returned function is called. */
  hold(): () => void;
  close(): Promise<void>;
}

/**
 * An MCP server over Streamable HTTP built with the official SDK (stateful sessions, so it can
 * tell its clients that its tool list changed), offering the fake tools.
 */
export async function startFakeMcpServer(): Promise<FakeMcpServer> {
  const calls: string[] = [];
  const requests: IncomingHttpHeaders[] = [];
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; server: McpServer }>();
  const extraTools: { name: string; answer: string }[] = [];
  let held: Promise<void> | undefined;
  const addExtraTool = (server: McpServer, tool: { name: string; answer: string }) =>
    server.registerTool(
      tool.name,
      { description: `Answers ${tool.answer}`, inputSchema: { note: z.string().optional() } },
      async () => {
        calls.push(tool.name);
        return { content: [{ type: 'text', text: tool.answer }] };
      },
    );

  const http = createServer(async (req, res) => {
    requests.push(req.headers);
    await held;
    if (req.url !== '/mcp') {
      res.writeHead(404).end();
      return;
    }
    const sessionId = req.headers['mcp-session-id'];
    const known = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;
    if (known) {
      await known.transport.handleRequest(req, res);
      return;
    }
    if (sessionId !== undefined) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32001, message: 'Session not found' }, id: null }));
      return;
    }
    const server = new McpServer(
      { name: 'fake-orders', version: '1.0.0' },
      { capabilities: { tools: { listChanged: true } } },
    );
    registerFakeMcpTools(server, calls);
    for (const tool of extraTools) addExtraTool(server, tool);
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server });
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    calls,
    requests,
    addTool(name, answer) {
      extraTools.push({ name, answer });
      for (const { server } of sessions.values()) addExtraTool(server, { name, answer });
    },
    hold() {
      let release = () => {};
      held = new Promise<void>((resolve) => {
        release = resolve;
      });
      return () => {
        held = undefined;
        release();
      };
    },
    async close() {
      await Promise.all([...sessions.values()].map(({ server }) => server.close()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}

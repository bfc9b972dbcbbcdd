import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import type { OrgAccess } from '../../http/principal.ts';
import type { RateLimit } from '../usage-service.ts';
import { type AgentTools, UnknownAgentTool } from './agent-tools.ts';

/**
 * One caller's MCP server over its org's deployed agents, made per request (stateless Streamable
 * HTTP). The low-level `Server`, not `McpServer`: the tools are the org's agents of the moment,
 * with JSON Schemas of our own, and an unknown tool must stay a protocol error (McpServer turns
 * every failure into a tool result).
 */
export function createAgentMcpServer(input: {
  tools: AgentTools;
  access: OrgAccess;
  /** The HTTP request's own: aborted when its caller goes away. */
  signal: AbortSignal;
  onRateLimit: (rateLimit: RateLimit) => void;
  requestId?: string;
  version: string;
}): Server {
  const { tools, access } = input;
  const server = new Server(
    { name: `astromesh-${access.orgSlug}`, title: `Astromesh org ${access.orgSlug}`, version: input.version },
    {
      capabilities: { tools: { listChanged: false } },
      instructions: `Each tool is a deployed agent of the Astromesh org '${access.orgSlug}': pass your question as \`query\`, and the \`session_id\` of an earlier answer to continue its conversation.`,
    },
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: await tools.list(access, input.requestId) }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    try {
      return await tools.call({
        access,
        name: request.params.name,
        args: request.params.arguments,
        // A cancelled request (notifications/cancelled) or a caller gone: the run is cancelled with it.
        signal: AbortSignal.any([input.signal, extra.signal]),
        onRateLimit: input.onRateLimit,
        requestId: input.requestId,
      });
    } catch (err) {
      // MCP: an unknown tool is a protocol error (JSON-RPC -32602), not a tool result.
      if (err instanceof UnknownAgentTool) throw new McpError(ErrorCode.InvalidParams, err.message);
      throw err;
    }
  });
  return server;
}

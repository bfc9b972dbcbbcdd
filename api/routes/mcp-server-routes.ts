import { z } from 'zod';
import { orgRoute } from '../http/api-route.ts';
import { managers } from '../http/principal.ts';
import { McpServerName, McpServerView, SaveMcpServer } from '../schemas/mcp-server.ts';
import type { McpServerService, McpServerUse } from '../services/mcp-servers/mcp-server-service.ts';

const OrgParams = z.object({ slug: z.string() });
const ServerParams = z.object({ slug: z.string(), server: McpServerName });

const viewOf = ({ server, agents }: McpServerUse): McpServerView => ({
  name: server.name,
  url: server.url,
  masked_token: server.maskedToken,
  tools: server.tools,
  agents,
  created_at: server.createdAt.toISOString(),
  updated_at: server.updatedAt.toISOString(),
});

const tag = 'MCP Servers';

/** The org's MCP tool servers (README "MCP tool servers"): owners and admins write, members read. */
export function mcpServerRoutes(mcpServers: McpServerService) {
  return [
    orgRoute({
      method: 'get',
      path: '/orgs/{slug}/mcp-servers',
      summary: "List the org's MCP tool servers, tokens masked, with the agents using each",
      tag,
      params: OrgParams,
      response: z.object({ mcp_servers: z.array(McpServerView) }),
      handle: async ({ access }) => ({ mcp_servers: (await mcpServers.list(access)).map(viewOf) }),
    }),
    orgRoute({
      method: 'put',
      path: '/orgs/{slug}/mcp-servers/{server}',
      summary: "Create or replace an MCP tool server; the org's runtime gets it without a redeploy",
      description:
        'Streamable HTTP only. A token left out keeps the stored one; null removes it. Agents name the ' +
        "server in step3.mcp_servers and are offered its tools as '<server>__<tool>'.",
      tag,
      roles: managers,
      params: ServerParams,
      body: SaveMcpServer,
      response: McpServerView,
      errors: [502, 504],
      handle: async ({ access, params, body }) => viewOf(await mcpServers.save(access, params.server, body)),
    }),
    orgRoute({
      method: 'delete',
      path: '/orgs/{slug}/mcp-servers/{server}',
      summary: 'Remove an MCP tool server; refused while an agent names it',
      tag,
      roles: managers,
      params: ServerParams,
      status: 204,
      errors: [404, 409, 502, 504],
      handle: async ({ access, params }) => {
        await mcpServers.remove(access, params.server);
      },
    }),
  ];
}

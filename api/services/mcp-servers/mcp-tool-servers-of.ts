import type { McpToolServers } from '../../compiler/compile-mcp-tool.ts';
import type { Queryable } from '../../db/database.ts';
import { listMcpServers } from '../../stores/mcp-servers-store.ts';

/** Reads what the compiler needs of an org's MCP servers, inside the caller's transaction. */
export type McpToolServersOf = (client: Queryable, orgId: string) => Promise<McpToolServers>;

/**
 * The org's MCP servers as compiler input (never a secret: whether a server has a token, not the
 * token), with the platform's ASTROMESH_MCP_ALLOW_PRIVATE_NETWORKS setting.
 */
export function mcpToolServersOf(options: { allowPrivateNetworks: boolean }): McpToolServersOf {
  return async (client, orgId) => {
    const servers: Record<string, { hasToken: boolean; tools: string[] | null }> = {};
    for (const server of await listMcpServers(client, orgId)) {
      servers[server.name] = { hasToken: server.seal !== null, tools: server.tools };
    }
    return { servers, allowPrivateNetworks: options.allowPrivateNetworks };
  };
}

import type { ToolSpec } from '../../runtime/config/agent-schema.ts';
import { mcpCredentialNamesOf } from './mcp-credential-names-of.ts';

/** What the compiler needs to know of the org's MCP servers (GET /orgs/{slug}/mcp-servers). */
export interface McpToolServers {
  /** The org's servers by name: whether one has a token, and the tools it offers (null: all). */
  servers: Readonly<Record<string, { hasToken: boolean; tools: readonly string[] | null }>>;
  /**
   * ASTROMESH_MCP_ALLOW_PRIVATE_NETWORKS: the platform admin lets servers live on loopback or a
   * private network (inside the cluster). Otherwise the runtime's SSRF guard refuses those addresses.
   */
  allowPrivateNetworks: boolean;
}

export const noMcpToolServers: McpToolServers = { servers: {}, allowPrivateNetworks: false };

/**
 * The `tools[]` entry of one of the org's MCP servers: the runtime discovers its tools and offers
 * them as `<server>__<tool>`. Only Streamable HTTP, and the URL and token by credential name
 * (mcpCredentialNamesOf), so the agent file holds no secret. A server the compiler was not told
 * about (a preview without the org's servers) gets the bare entry.
 */
export function compileMcpTool(server: string, mcp: McpToolServers): ToolSpec {
  const names = mcpCredentialNamesOf(server);
  const known = Object.hasOwn(mcp.servers, server) ? mcp.servers[server] : undefined;
  return {
    name: server,
    type: 'mcp',
    config: {
      url_env: names.url,
      ...(known?.hasToken ? { headers_env: { Authorization: names.authorization } } : {}),
      ...(known?.tools ? { tools: [...known.tools] } : {}),
      ...(mcp.allowPrivateNetworks ? { allow_localhost: true, allow_private_network: true } : {}),
    },
  };
}

import type { McpServerView, SaveMcpServer } from '../../../api/schemas/mcp-server.ts';
import type { ApiClient } from './api-client.ts';

export type { McpServerView, SaveMcpServer };

/** The org's MCP tool servers (README "MCP tool servers"): saved whole by name, listed with the token masked. */
export function mcpServersApi(api: ApiClient, org: string) {
  const serversPath = `/orgs/${encodeURIComponent(org)}/mcp-servers`;
  const serverPath = (name: string) => `${serversPath}/${encodeURIComponent(name)}`;
  return {
    list: async () => (await api.request<{ mcp_servers: McpServerView[] }>('GET', serversPath)).mcp_servers,
    save: (name: string, input: SaveMcpServer) => api.request<McpServerView>('PUT', serverPath(name), input),
    remove: (name: string) => api.request<void>('DELETE', serverPath(name)),
  };
}
export type McpServersApi = ReturnType<typeof mcpServersApi>;

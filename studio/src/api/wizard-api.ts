import type { AgentView } from '../../../api/schemas/agent-view.ts';
import type { CompiledAgentPreview, WizardIssue } from '../../../api/schemas/compiled-agent-preview.ts';
import type { McpServerView } from '../../../api/schemas/mcp-server.ts';
import type { ProviderKeyView } from '../../../api/schemas/provider-key-view.ts';
import type { WizardCatalogue } from '../../../api/schemas/wizard-catalogue.ts';
import type { WizardConfigInput, WizardConfigPatch } from '../../../api/schemas/wizard-config.ts';
import type { ApiClient } from './api-client.ts';

export type { AgentView, CompiledAgentPreview, WizardCatalogue, WizardIssue };

/** What the agent wizard reads and writes: the catalogue, the org's provider keys and MCP servers, one agent, the preview. */
export function wizardApi(api: ApiClient, org: string) {
  const orgPath = `/orgs/${encodeURIComponent(org)}`;
  const agentPath = (name: string) => `${orgPath}/agents/${encodeURIComponent(name)}`;
  return {
    catalogue: () => api.request<WizardCatalogue>('GET', '/catalogue'),
    providerKeys: async () =>
      (await api.request<{ providers: ProviderKeyView[] }>('GET', `${orgPath}/providers`)).providers,
    mcpServers: async () =>
      (await api.request<{ mcp_servers: McpServerView[] }>('GET', `${orgPath}/mcp-servers`)).mcp_servers,
    get: (name: string) => api.request<AgentView>('GET', agentPath(name)),
    create: (config: WizardConfigInput) => api.request<AgentView>('POST', `${orgPath}/agents`, config),
    update: (name: string, patch: WizardConfigPatch) => api.request<AgentView>('PUT', agentPath(name), patch),
    compile: (config: WizardConfigInput) =>
      api.request<CompiledAgentPreview>('POST', `${orgPath}/agents/compile`, config),
    deploy: (name: string) => api.request<{ status: 'deployed' }>('POST', `${agentPath(name)}/deploy`),
    pause: (name: string) => api.request<{ status: 'paused' }>('POST', `${agentPath(name)}/pause`),
  };
}
export type WizardApi = ReturnType<typeof wizardApi>;

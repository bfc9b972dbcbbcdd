import type { AgentSummary } from '../../../api/schemas/agent-summary.ts';
import type { ApiClient } from './api-client.ts';

export type { AgentSummary };

export function agentsApi(api: ApiClient, org: string) {
  const agentPath = (name: string) => `/orgs/${encodeURIComponent(org)}/agents/${encodeURIComponent(name)}`;
  return {
    list: async () =>
      (await api.request<{ agents: AgentSummary[] }>('GET', `/orgs/${encodeURIComponent(org)}/agents`)).agents,
    deploy: (name: string) => api.request<{ status: 'deployed' }>('POST', `${agentPath(name)}/deploy`),
    pause: (name: string) => api.request<{ status: 'paused' }>('POST', `${agentPath(name)}/pause`),
    remove: (name: string) => api.request<void>('DELETE', agentPath(name)),
  };
}
export type AgentsApi = ReturnType<typeof agentsApi>;

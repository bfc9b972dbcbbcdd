import type { BackgroundRunPage, BackgroundRunView } from '../../../api/schemas/background-run.ts';
import type { ApiClient } from './api-client.ts';

export type { BackgroundRunView };

/** An agent's background runs (README "Background runs"), newest first; any member may cancel one. */
export function backgroundRunsApi(api: ApiClient, org: string, agent: string) {
  const orgPath = `/orgs/${encodeURIComponent(org)}`;
  return {
    listRecent: async (limit = 20) =>
      (
        await api.request<BackgroundRunPage>(
          'GET',
          `${orgPath}/agents/${encodeURIComponent(agent)}/runs?limit=${limit}`,
        )
      ).runs,
    cancel: (id: string) => api.request<BackgroundRunView>('POST', `${orgPath}/runs/${encodeURIComponent(id)}/cancel`),
  };
}
export type BackgroundRunsApi = ReturnType<typeof backgroundRunsApi>;

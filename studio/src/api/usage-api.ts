import type { UsageReport } from '../../../api/schemas/usage-report.ts';
import type { ApiClient } from './api-client.ts';

export type { UsageReport };

/** The org's runs and tokens per day and per agent, and what is left of today (seed 003, Usage). */
export function usageApi(api: ApiClient, org: string) {
  return {
    report: (days: number) => api.request<UsageReport>('GET', `/orgs/${encodeURIComponent(org)}/usage?days=${days}`),
  };
}

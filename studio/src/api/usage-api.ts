import type { BudgetsView } from '../../../api/schemas/budgets.ts';
import type { UsageReport } from '../../../api/schemas/usage-report.ts';
import type { ApiClient } from './api-client.ts';

export type { BudgetsView, UsageReport };

/** The org's runs and tokens per day and per agent, and what is left of today (seed 003, Usage). */
export function usageApi(api: ApiClient, org: string) {
  return {
    report: (days: number) => api.request<UsageReport>('GET', `/orgs/${encodeURIComponent(org)}/usage?days=${days}`),
    /** The month's spend against the org's budget, and every limit (owners and admins only). */
    budgets: () => api.request<BudgetsView>('GET', `/orgs/${encodeURIComponent(org)}/budgets`),
  };
}

import { z } from 'zod';
import { orgRoute } from '../http/api-route.ts';
import { UsageQuery, UsageReport } from '../schemas/usage-report.ts';
import type { UsageService } from '../services/usage-service.ts';

export function usageRoutes(usage: UsageService) {
  return [
    orgRoute({
      method: 'get',
      path: '/orgs/{slug}/usage',
      summary: 'Runs and tokens of the last days, per agent and per day, and what is left of today',
      tag: 'Usage',
      params: z.object({ slug: z.string() }),
      query: UsageQuery,
      response: UsageReport,
      handle: async ({ access, query }): Promise<UsageReport> => {
        const summary = await usage.summary(access, query.days);
        return {
          period_days: summary.periodDays,
          total_requests: summary.totalRequests,
          total_tokens: summary.totalTokens,
          daily_limit: summary.dailyLimit,
          remaining_today: summary.remainingToday,
          by_agent: summary.byAgent,
          by_day: summary.byDay,
        };
      },
    }),
  ];
}

import { z } from 'zod';
import { orgRoute } from '../http/api-route.ts';
import { usdOfNano } from '../pricing/price-runs.ts';
import { UsageQuery, UsageReport } from '../schemas/usage-report.ts';
import type { UsageService } from '../services/usage-service.ts';
import type { UsageCount } from '../stores/usage-store.ts';

export function usageRoutes(usage: UsageService) {
  return [
    orgRoute({
      method: 'get',
      path: '/orgs/{slug}/usage',
      summary: 'Runs, tokens and cost of the last days, per agent and per day, and what is left of today',
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
          total_cost_usd: usd(summary.totalCostNanoUsd),
          unpriced_runs: summary.unpricedRuns,
          daily_limit: summary.dailyLimit,
          remaining_today: summary.remainingToday,
          by_agent: summary.byAgent.map(({ agent, ...count }) => ({ agent, ...countOf(count) })),
          by_day: summary.byDay.map(({ date, ...count }) => ({ date, ...countOf(count) })),
        };
      },
    }),
  ];
}

const usd = (nano: number): number => usdOfNano(nano) ?? 0;

const countOf = (count: UsageCount) => ({
  requests: count.requests,
  tokens: count.tokens,
  cost_usd: usd(count.costNanoUsd),
  unpriced_runs: count.unpricedRuns,
});

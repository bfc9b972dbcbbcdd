import { z } from 'zod';
import { orgRoute } from '../http/api-route.ts';
import { managers } from '../http/principal.ts';
import {
  AgentLimitsView,
  ApiKeyLimitsView,
  BudgetsView,
  MonthlySpendView,
  SetDailyLimits,
  SetMonthlySpend,
} from '../schemas/budgets.ts';
import type { BudgetService } from '../services/budget-service.ts';
import type { DailyLimits, DailyLimitsInput } from '../stores/budgets-store.ts';

type Overview = Awaited<ReturnType<BudgetService['overview']>>;

const OrgParams = z.object({ slug: z.string() });
const AgentParams = z.object({ slug: z.string(), name: z.string().max(128) });
const KeyParams = z.object({ slug: z.string(), key_id: z.string().max(64) });

const usd = (nano: number) => nano / 1e9;
const limitsInput = (body: SetDailyLimits): DailyLimitsInput => ({ runs: body.daily_runs, tokens: body.daily_tokens });
const limitsView = (limits: DailyLimits) => ({ daily_runs: limits.runs, daily_tokens: limits.tokens });

const monthlySpendView = (overview: Overview): MonthlySpendView => ({
  month: overview.month.slice(0, 7),
  limit_usd: overview.monthlySpend.limitNanoUsd === null ? null : usd(overview.monthlySpend.limitNanoUsd),
  used_usd: usd(overview.monthlySpend.usedNanoUsd),
  resets_at: overview.monthlyResetsAt.toISOString(),
});

const budgetsView = (overview: Overview): BudgetsView => ({
  day: overview.day,
  daily_resets_at: overview.dailyResetsAt.toISOString(),
  monthly_spend: monthlySpendView(overview),
  agents: overview.agents.map(({ name, ...limits }) => ({ name, ...limitsView(limits) })),
  api_keys: overview.apiKeys.map(({ id, name, ...limits }) => ({ id, name, ...limitsView(limits) })),
});

/** The one that was set, from the overview read after setting it (it exists: the update found it). */
function entryOf<T extends { name: string } | { id: string }>(entries: T[], matches: (entry: T) => boolean): T {
  const entry = entries.find(matches);
  if (!entry) throw new Error('the entry just set is missing from the overview');
  return entry;
}

// Budgets are part of managing the org: members see cost in the usage report, not the limits.
export function budgetRoutes(budgets: BudgetService) {
  return [
    orgRoute({
      method: 'get',
      path: '/orgs/{slug}/budgets',
      summary: 'The org’s monthly spend budget and every agent’s and API key’s daily limits, with what is used',
      tag: 'Budgets',
      roles: managers,
      params: OrgParams,
      response: BudgetsView,
      handle: async ({ access }) => budgetsView(await budgets.overview(access)),
    }),
    orgRoute({
      method: 'put',
      path: '/orgs/{slug}/budgets/monthly-spend',
      summary:
        'Set (or lift, with null) the org’s monthly spend budget in USD; over it, runs answer 429 budget_exceeded',
      tag: 'Budgets',
      roles: managers,
      params: OrgParams,
      body: SetMonthlySpend,
      response: MonthlySpendView,
      handle: async ({ access, body }) =>
        monthlySpendView(
          await budgets.setMonthlySpend(access, body.limit_usd === null ? null : Math.round(body.limit_usd * 1e9)),
        ),
    }),
    orgRoute({
      method: 'put',
      path: '/orgs/{slug}/agents/{name}/limits',
      summary:
        'Set (or lift, with null) an agent’s daily run and token limits; over one, runs answer 429 budget_exceeded',
      tag: 'Budgets',
      roles: managers,
      params: AgentParams,
      body: SetDailyLimits,
      response: AgentLimitsView,
      errors: [404],
      handle: async ({ access, params, body }) => {
        const overview = await budgets.setAgentLimits(access, params.name, limitsInput(body));
        const { name, ...limits } = entryOf(overview.agents, (agent) => agent.name === params.name);
        return { name, ...limitsView(limits) };
      },
    }),
    orgRoute({
      method: 'put',
      path: '/orgs/{slug}/keys/{key_id}/limits',
      summary:
        'Set (or lift, with null) an API key’s daily run and token limits; over one, its runs answer 429 budget_exceeded',
      tag: 'Budgets',
      roles: managers,
      params: KeyParams,
      body: SetDailyLimits,
      response: ApiKeyLimitsView,
      errors: [404],
      handle: async ({ access, params, body }) => {
        const overview = await budgets.setApiKeyLimits(access, params.key_id, limitsInput(body));
        const { id, name, ...limits } = entryOf(overview.apiKeys, (key) => key.id === params.key_id);
        return { id, name, ...limitsView(limits) };
      },
    }),
  ];
}

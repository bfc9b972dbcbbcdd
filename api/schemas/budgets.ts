import { z } from 'zod';

// Bounds keep every amount a whole number below 2^53 once in nano-dollars or tokens.
const maxMonthlySpendUsd = 1_000_000;
const maxDailyRuns = 100_000_000;
const maxDailyTokens = 1_000_000_000_000;

/**
 * PUT /orgs/{slug}/budgets/monthly-spend. Strict, and the field is required: a misspelt field is a
 * 400 naming it, never a budget lifted by mistake. null lifts the budget.
 */
export const SetMonthlySpend = z.strictObject({
  limit_usd: z
    .number()
    .min(0)
    .max(maxMonthlySpendUsd)
    .nullable()
    .describe(
      'USD per calendar month (UTC), to 1e-9; null: no budget. Runs start while the month’s settled spend is under it.',
    ),
});
export type SetMonthlySpend = z.infer<typeof SetMonthlySpend>;

/** PUT …/agents/{name}/limits and …/keys/{key_id}/limits: both limits, each a whole number or null (none). */
export const SetDailyLimits = z.strictObject({
  daily_runs: z
    .int()
    .min(0)
    .max(maxDailyRuns)
    .nullable()
    .describe('Runs per UTC day; null: no limit. Exact under any concurrency: counted when a run starts.'),
  daily_tokens: z
    .int()
    .min(0)
    .max(maxDailyTokens)
    .nullable()
    .describe(
      'Tokens (input + output) per UTC day; null: no limit. Runs start while the day’s settled tokens are under it.',
    ),
});
export type SetDailyLimits = z.infer<typeof SetDailyLimits>;

const DailyUse = z.object({
  limit: z.int().nullable().describe('null: no limit'),
  used: z.int().describe('Today (UTC), counted whether or not a limit is set'),
});
const DailyLimitsView = { daily_runs: DailyUse, daily_tokens: DailyUse };

export const MonthlySpendView = z.object({
  month: z.string().describe('The UTC month, YYYY-MM'),
  limit_usd: z.number().nullable().describe('null: no budget'),
  used_usd: z.number().describe('The month’s priced runs; unpriced runs add nothing'),
  resets_at: z.string().describe('The first of next month, 00:00 UTC'),
});
export type MonthlySpendView = z.infer<typeof MonthlySpendView>;

export const AgentLimitsView = z.object({ name: z.string(), ...DailyLimitsView });
export type AgentLimitsView = z.infer<typeof AgentLimitsView>;
export const ApiKeyLimitsView = z.object({ id: z.string(), name: z.string(), ...DailyLimitsView });
export type ApiKeyLimitsView = z.infer<typeof ApiKeyLimitsView>;

export const BudgetsView = z.object({
  day: z.string().describe('The UTC day the daily figures are of, YYYY-MM-DD'),
  daily_resets_at: z.string().describe('The next midnight UTC'),
  monthly_spend: MonthlySpendView,
  agents: z.array(AgentLimitsView).describe('Every agent of the org, with or without limits'),
  api_keys: z.array(ApiKeyLimitsView).describe('Every API key of the org, with or without limits'),
});
export type BudgetsView = z.infer<typeof BudgetsView>;

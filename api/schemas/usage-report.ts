import { z } from 'zod';
import { queryInteger } from '../../runtime/server/query-integer.ts';

/** GET /orgs/{slug}/usage?days= (seed 003: default 30, max 90). */
export const UsageQuery = z.object({
  days: queryInteger({ min: 1, max: 90, default: 30 }),
});
export type UsageQuery = z.infer<typeof UsageQuery>;

const costUsd = z
  .number()
  .describe('USD: the sum of the priced runs’ costs (tokens × the model’s price), to 1e-9. Unpriced runs add nothing.');
const unpricedRuns = z
  .int()
  .describe('Runs whose model has no price (neither the built-in table nor ASTROMESH_MODEL_PRICES): not in cost_usd.');
const UsageCount = { requests: z.int(), tokens: z.int(), cost_usd: costUsd, unpriced_runs: unpricedRuns };

export const UsageReport = z.object({
  period_days: z.int(),
  total_requests: z
    .int()
    .describe('Runs and stream queries of the period; test runs and runs not served are not counted.'),
  total_tokens: z.int(),
  total_cost_usd: costUsd,
  unpriced_runs: unpricedRuns,
  daily_limit: z.int(),
  remaining_today: z.int().describe('Runs left today (UTC); the count starts again at midnight UTC.'),
  by_agent: z.array(z.object({ agent: z.string(), ...UsageCount })),
  by_day: z
    .array(z.object({ date: z.string().describe('UTC day, YYYY-MM-DD'), ...UsageCount }))
    .describe('Every day of the period, oldest first, days without runs included.'),
});
export type UsageReport = z.infer<typeof UsageReport>;

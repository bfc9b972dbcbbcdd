import { z } from 'zod';
import { queryInteger } from '../../runtime/server/query-integer.ts';

/** GET /orgs/{slug}/usage?days= (seed 003: default 30, max 90). */
export const UsageQuery = z.object({
  days: queryInteger({ min: 1, max: 90, default: 30 }),
});
export type UsageQuery = z.infer<typeof UsageQuery>;

const UsageCount = { requests: z.int(), tokens: z.int() };

export const UsageReport = z.object({
  period_days: z.int(),
  total_requests: z
    .int()
    .describe('Runs and stream queries of the period; test runs and runs not served are not counted.'),
  total_tokens: z.int(),
  daily_limit: z.int(),
  remaining_today: z.int().describe('Runs left today (UTC); the count starts again at midnight UTC.'),
  by_agent: z.array(z.object({ agent: z.string(), ...UsageCount })),
  by_day: z
    .array(z.object({ date: z.string().describe('UTC day, YYYY-MM-DD'), ...UsageCount }))
    .describe('Every day of the period, oldest first, days without runs included.'),
});
export type UsageReport = z.infer<typeof UsageReport>;

import type { MonthlySpendView } from '../../../api/schemas/budgets.ts';
import { formatUsd } from './format-usd.ts';

/**
 * The month's spend in words: against the org's monthly budget when one is set, saying when a
 * used-up budget lets runs again (the first of next month, UTC).
 */
export function describeMonthlySpend(spend: MonthlySpendView): { text: string; isExhausted: boolean } {
  const spent = formatUsd(spend.used_usd);
  if (spend.limit_usd === null)
    return { text: `${spent} spent this month (UTC); no monthly budget is set.`, isExhausted: false };
  const budget = formatUsd(spend.limit_usd);
  if (spend.used_usd < spend.limit_usd)
    return { text: `${spent} of the ${budget} monthly budget spent (UTC month).`, isExhausted: false };
  const resumes = new Date(spend.resets_at).toLocaleDateString('en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
  return {
    text: `The ${budget} monthly budget is spent (${spent}): runs are refused until ${resumes} (UTC).`,
    isExhausted: true,
  };
}

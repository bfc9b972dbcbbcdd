/**
 * A cost in US dollars: cents from a dollar up (`$12.35`), up to four decimals below it (`$0.1235`),
 * and four significant digits below a cent (`$0.0004069`), since one run of a small model costs a fraction of a cent and "$0.00"
 * would hide it. The same format whatever the browser's language, as the tests read it.
 */
export function formatUsd(value: number): string {
  if (value === 0) return '$0.00';
  const usd = { style: 'currency', currency: 'USD' } as const;
  if (value >= 1) return value.toLocaleString('en-US', { ...usd, minimumFractionDigits: 2, maximumFractionDigits: 2 });
  if (value >= 0.01)
    return value.toLocaleString('en-US', { ...usd, minimumFractionDigits: 2, maximumFractionDigits: 4 });
  return value.toLocaleString('en-US', { ...usd, maximumSignificantDigits: 4 });
}

/** A cost with the runs it leaves out: `$0.0004 (2 runs unpriced)`. */
export function describeCost(costUsd: number, unpricedRuns: number): string {
  if (unpricedRuns === 0) return formatUsd(costUsd);
  return `${formatUsd(costUsd)} (${unpricedRuns} ${unpricedRuns === 1 ? 'run' : 'runs'} unpriced)`;
}

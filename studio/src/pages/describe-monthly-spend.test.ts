import { describe, expect, it } from 'vitest';
import { describeMonthlySpend } from './describe-monthly-spend.ts';

const spend = { month: '2026-12', resets_at: '2027-01-01T00:00:00.000Z' };

describe('describeMonthlySpend', () => {
  it('says the spend alone when no budget is set', () => {
    expect(describeMonthlySpend({ ...spend, limit_usd: null, used_usd: 0.0004069 })).toEqual({
      text: '$0.0004069 spent this month (UTC); no monthly budget is set.',
      isExhausted: false,
    });
  });

  it('says the spend against the budget while some is left', () => {
    expect(describeMonthlySpend({ ...spend, limit_usd: 25, used_usd: 12.345 })).toEqual({
      text: '$12.35 of the $25.00 monthly budget spent (UTC month).',
      isExhausted: false,
    });
  });

  it('says when runs start again once the budget is spent', () => {
    expect(describeMonthlySpend({ ...spend, limit_usd: 25, used_usd: 25.01 })).toEqual({
      text: 'The $25.00 monthly budget is spent ($25.01): runs are refused until 1 January 2027 (UTC).',
      isExhausted: true,
    });
  });
});

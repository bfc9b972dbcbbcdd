import { describe, expect, it } from 'vitest';
import { eventually } from './eventually.ts';

describe('eventually', () => {
  it('returns the first result of a check that stops throwing', async () => {
    let calls = 0;

    const result = await eventually(() => {
      calls++;
      if (calls < 3) throw new Error('not yet');
      return 'ready';
    });

    expect(result).toBe('ready');
    expect(calls).toBe(3);
  });

  it('rethrows the last error when the check never passes, so the failure says what was wrong', async () => {
    let calls = 0;

    const outcome = eventually(
      () => {
        calls++;
        throw new Error(`still failing (${calls})`);
      },
      { timeoutMs: 100, intervalMs: 10 },
    );

    await expect(outcome).rejects.toThrow(/^still failing \(\d+\)$/);
    expect(calls).toBeGreaterThan(1);
  });
});

import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it, vi } from 'vitest';
import { retryThrottled } from './retry-throttled.ts';

const answer = (code: number) => new ApiException(code, `HTTP-Code: ${code}`, '{}', { 'retry-after': '0' });

describe('retryThrottled', () => {
  it('tries again when the API server answers 429, after its Retry-After', async () => {
    const call = vi.fn().mockRejectedValueOnce(answer(429)).mockRejectedValueOnce(answer(429)).mockResolvedValue('ok');

    expect(await retryThrottled(call)).toBe('ok');
    expect(call).toHaveBeenCalledTimes(3);
  });

  it('gives up after five attempts, with the last answer', async () => {
    const call = vi.fn().mockRejectedValue(answer(429));

    await expect(retryThrottled(call)).rejects.toMatchObject({ code: 429 });
    expect(call).toHaveBeenCalledTimes(5);
  });

  it('leaves every other answer to the caller at once', async () => {
    const call = vi.fn().mockRejectedValue(answer(409));

    await expect(retryThrottled(call)).rejects.toMatchObject({ code: 409 });
    expect(call).toHaveBeenCalledTimes(1);
  });
});

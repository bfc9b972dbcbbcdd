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

  it('tries again while a quota cannot count the resource yet (its controller has not discovered the CRD)', async () => {
    const unknown = new ApiException(
      403,
      'HTTP-Code: 403',
      '{"message":"cloudagents.astromesh.io \\"a\\" is forbidden: status unknown for quota: astromesh-org-quota, resources: count/cloudagents.astromesh.io"}',
      {},
    );
    const call = vi.fn().mockRejectedValueOnce(unknown).mockResolvedValue('ok');

    expect(await retryThrottled(call)).toBe('ok');
    expect(call).toHaveBeenCalledTimes(2);
  });

  it('leaves a quota that is exceeded, or any other 403, to the caller at once', async () => {
    const exceeded = new ApiException(403, 'HTTP-Code: 403', '{"message":"exceeded quota: astromesh-org-quota"}', {});
    const call = vi.fn().mockRejectedValue(exceeded);

    await expect(retryThrottled(call)).rejects.toMatchObject({ code: 403 });
    expect(call).toHaveBeenCalledTimes(1);
  });
});

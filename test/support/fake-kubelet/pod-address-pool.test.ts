import { afterEach, describe, expect, it } from 'vitest';
import { claimPodAddressPool, loopbackAddressOf, type PodAddressPool } from './pod-address-pool.ts';

describe('the fake kubelet’s pod address pool', () => {
  const pools: PodAddressPool[] = [];
  const aPool = async () => {
    const pool = await claimPodAddressPool();
    pools.push(pool);
    return pool;
  };

  afterEach(async () => {
    for (const pool of pools.splice(0)) await pool.close();
  });

  // Two clusters side by side (test files run at once) once gave their first runtime pods the
  // same address: one cluster's probes and calls reached the other's runtime.
  it('gives two kubelets running at once addresses that never meet', async () => {
    const [first, second] = [await aPool(), await aPool()];

    const fromFirst = [first.allocate(), first.allocate()];
    const fromSecond = [second.allocate(), second.allocate()];

    const loopbacks = [...fromFirst, ...fromSecond].map((address) => address.loopbackAddress);
    expect(new Set(loopbacks).size).toBe(4);
    for (const address of [...fromFirst, ...fromSecond]) {
      expect(address.podIp).toMatch(/^10\.244\.\d+\.\d+$/);
      expect(loopbackAddressOf(address.podIp)).toBe(address.loopbackAddress);
    }
  });

  it('reuses a released address, and hands a closed kubelet’s range to the next one', async () => {
    const pool = await claimPodAddressPool();
    const first = pool.allocate();
    pool.release(first);
    const again = pool.allocate();
    await pool.close();

    const next = await aPool();

    expect(again).toEqual(first);
    expect(next.allocate()).toEqual(first);
  });
});

import { describe, expect, it } from 'vitest';
import { type NetworkPolicy, refusedAddressClass } from './guarded-connector.ts';

const defaultPolicy: NetworkPolicy = { allowLocalhost: false, allowPrivateNetwork: false };
const privateNetworkPolicy: NetworkPolicy = { allowLocalhost: false, allowPrivateNetwork: true };

describe('refusedAddressClass', () => {
  it('lets a public address through under the default policy', () => {
    expect(refusedAddressClass('93.184.216.34', defaultPolicy)).toBeUndefined();
  });

  it.each(['10.0.0.1', '192.168.10.20', 'fd00::2', '100.64.1.1'])(
    'lets %s through when allow_private_network is set',
    (address) => {
      expect(refusedAddressClass(address, privateNetworkPolicy)).toBeUndefined();
    },
  );

  it.each([
    ['169.254.169.254', 'cloud metadata'],
    ['169.254.3.4', 'link-local'],
    ['127.0.0.1', 'loopback'],
    ['0.0.0.0', 'unspecified'],
  ])('still refuses %s (%s) when allow_private_network is set', (address, addressClass) => {
    expect(refusedAddressClass(address, privateNetworkPolicy)).toBe(addressClass);
  });

  it('lets loopback through only with allow_localhost', () => {
    const policy = { allowLocalhost: true, allowPrivateNetwork: false };

    expect(refusedAddressClass('::1', policy)).toBeUndefined();
  });
});

import type { V1EndpointSlice } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { readyEndpointUrlsOf } from './ready-endpoint-urls.ts';

const aSlice = (slice: Partial<V1EndpointSlice>): V1EndpointSlice => ({
  addressType: 'IPv4',
  endpoints: [],
  ports: [{ name: 'http', port: 8000, protocol: 'TCP' }],
  ...slice,
});

describe('readyEndpointUrlsOf', () => {
  it('lists ready endpoints on the http port, treating an unset ready condition as ready', () => {
    const slice = aSlice({
      endpoints: [
        { addresses: ['10.0.0.1'], conditions: { ready: true } },
        { addresses: ['10.0.0.2'], conditions: {} },
        { addresses: ['10.0.0.3'], conditions: { ready: false } },
      ],
      ports: [
        { name: 'metrics', port: 9090 },
        { name: 'http', port: 8000 },
      ],
    });

    expect(readyEndpointUrlsOf([slice])).toEqual(['http://10.0.0.1:8000', 'http://10.0.0.2:8000']);
  });

  it('reaches each pod at the address the mapping gives for its IP', () => {
    const slice = aSlice({ endpoints: [{ addresses: ['10.244.0.7'] }] });

    const urls = readyEndpointUrlsOf([slice], { reachableAddressOf: (ip) => ip.replace('10.244.0.', '127.0.0.') });

    expect(urls).toEqual(['http://127.0.0.7:8000']);
  });

  it('brackets IPv6 addresses', () => {
    const slice = aSlice({ addressType: 'IPv6', endpoints: [{ addresses: ['fd00::1'] }] });

    expect(readyEndpointUrlsOf([slice])).toEqual(['http://[fd00::1]:8000']);
  });

  it('finds nothing in slices without an http port or without ready endpoints', () => {
    const noPort = aSlice({ endpoints: [{ addresses: ['10.0.0.1'] }], ports: [{ name: 'grpc', port: 9000 }] });
    const notReady = aSlice({ endpoints: [{ addresses: ['10.0.0.2'], conditions: { ready: false } }] });

    expect(readyEndpointUrlsOf([noPort, notReady, aSlice({ endpoints: undefined as never })])).toEqual([]);
  });
});

import type { V1EndpointSlice } from '@kubernetes/client-node';

/**
 * Base URLs of the ready endpoints in a Service's EndpointSlices, on the port named `http`.
 * `ready` unset means ready (the EndpointSlice API's rule); terminating endpoints are not ready.
 * `reachableAddressOf` maps a pod address to the one this process reaches it at (identity by default).
 */
export function readyEndpointUrlsOf(
  slices: V1EndpointSlice[],
  options: { portName?: string; reachableAddressOf?: (podAddress: string) => string } = {},
): string[] {
  const { portName = 'http', reachableAddressOf = (podAddress: string) => podAddress } = options;
  const urls = new Set<string>();
  for (const slice of slices) {
    const port = slice.ports?.find((candidate) => candidate.name === portName)?.port;
    if (port === undefined) continue;
    for (const endpoint of slice.endpoints ?? []) {
      if (endpoint.conditions?.ready === false) continue;
      const podAddress = endpoint.addresses[0];
      if (!podAddress) continue;
      const address = reachableAddressOf(podAddress);
      const host = slice.addressType === 'IPv6' || address.includes(':') ? `[${address}]` : address;
      urls.add(`http://${host}:${port}`);
    }
  }
  return [...urls].sort();
}

/**
 * Every loopback address 127.0.0.0/8 reaches this machine with no setup, so each pod gets one of
 * its own and two pods can listen on the same port. Kubernetes refuses loopback addresses in
 * EndpointSlices ("may not be in the loopback range"), though, so the pod IP the cluster sees is
 * 10.244.0.x with the same last byte: the pod's address as seen from outside, translated back by
 * `loopbackAddressOf` like a NAT would.
 */
const podNetworkPrefix = '10.244.0.';
const loopbackPrefix = '127.0.0.';
const firstHost = 2;
const lastHost = 254;

export interface PodAddress {
  /** The address the pod's processes listen on: what `$(POD_IP)` gives them. */
  loopbackAddress: string;
  /** The address in the pod's status and in EndpointSlices. */
  podIp: string;
}

export function createPodAddressPool() {
  const taken = new Set<number>();
  return {
    /** The lowest free address, so an address is reused once its pod is gone. */
    allocate(): PodAddress {
      for (let host = firstHost; host <= lastHost; host++) {
        if (taken.has(host)) continue;
        taken.add(host);
        return { loopbackAddress: `${loopbackPrefix}${host}`, podIp: `${podNetworkPrefix}${host}` };
      }
      throw new Error(`the fake kubelet ran out of pod addresses (${lastHost - firstHost + 1} pods at once)`);
    },
    release(address: PodAddress): void {
      taken.delete(Number(address.loopbackAddress.slice(loopbackPrefix.length)));
    },
  };
}

/** The local address a fake-kubelet pod IP (from a pod status or an EndpointSlice) is reached at. */
export function loopbackAddressOf(podIp: string): string {
  if (!podIp.startsWith(podNetworkPrefix)) throw new Error(`${podIp} is not a fake-kubelet pod IP`);
  return loopbackPrefix + podIp.slice(podNetworkPrefix.length);
}

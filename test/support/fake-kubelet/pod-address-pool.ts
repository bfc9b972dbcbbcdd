import { createServer, type Server } from 'node:net';

/**
 * Every loopback address 127.0.0.0/8 reaches this machine with no setup, so each pod gets one of
 * its own and two pods can listen on the same port. Kubernetes refuses loopback addresses in
 * EndpointSlices ("may not be in the loopback range"), though, so the pod IP the cluster sees is
 * 10.244.x.y for the loopback address 127.244.x.y: the pod's address as seen from outside,
 * translated back by `loopbackAddressOf` like a NAT would.
 *
 * Each fake kubelet takes a /24 of its own (127.244.x.0/24), as each node of a real cluster has
 * its own pod CIDR: test files run side by side, each with its own cluster, and with one shared
 * range the second cluster's runtime pod got the first one's address. Its readiness probe then
 * reached the other cluster's runtime, which answered, so the pod was Ready at once while its own
 * process could not listen; the Cloud API's calls reached the other org's runtime, which refused
 * their token (401) until the retry window ran out in a 502.
 */
const podNetworkPrefix = '10.244.';
const loopbackPrefix = '127.244.';
const firstHost = 2;
const lastHost = 254;
// A kubelet holds its /24 by listening on its .1 at this port while it runs: any fixed port
// below the ephemeral range (and not a real kubelet's 10250) works.
const claimPort = 20_244;

export interface PodAddress {
  /** The address the pod's processes listen on: what `$(POD_IP)` gives them. */
  loopbackAddress: string;
  /** The address in the pod's status and in EndpointSlices. */
  podIp: string;
}

export interface PodAddressPool {
  /** The lowest free address, so an address is reused once its pod is gone. */
  allocate(): PodAddress;
  release(address: PodAddress): void;
  /** Gives the /24 back for another kubelet. */
  close(): Promise<void>;
}

/** A pool of pod addresses in a /24 no other kubelet on this machine (in any process) holds. */
export async function claimPodAddressPool(): Promise<PodAddressPool> {
  for (let subnet = 0; subnet <= 255; subnet++) {
    const claim = await listenOn(`${loopbackPrefix}${subnet}.1`);
    if (claim) return poolOf(subnet, claim);
  }
  throw new Error('every fake-kubelet pod network (127.244.0.0/16) is taken on this machine');
}

function poolOf(subnet: number, claim: Server): PodAddressPool {
  const taken = new Set<number>();
  return {
    allocate(): PodAddress {
      for (let host = firstHost; host <= lastHost; host++) {
        if (taken.has(host)) continue;
        taken.add(host);
        const suffix = `${subnet}.${host}`;
        return { loopbackAddress: `${loopbackPrefix}${suffix}`, podIp: `${podNetworkPrefix}${suffix}` };
      }
      throw new Error(`the fake kubelet ran out of pod addresses (${lastHost - firstHost + 1} pods at once)`);
    },
    release(address: PodAddress): void {
      taken.delete(Number(address.loopbackAddress.split('.')[3]));
    },
    close: () => new Promise((resolve) => claim.close(() => resolve())),
  };
}

/** A server listening on host:claimPort, or undefined if someone else already does. */
function listenOn(host: string): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') resolve(undefined);
      else reject(err);
    });
    server.listen({ host, port: claimPort, exclusive: true }, () => resolve(server));
  });
}

/** The local address a fake-kubelet pod IP (from a pod status or an EndpointSlice) is reached at. */
export function loopbackAddressOf(podIp: string): string {
  if (!podIp.startsWith(podNetworkPrefix)) throw new Error(`${podIp} is not a fake-kubelet pod IP`);
  return loopbackPrefix + podIp.slice(podNetworkPrefix.length);
}

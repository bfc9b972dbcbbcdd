import { DiscoveryV1Api, type KubeConfig } from '@kubernetes/client-node';
import { orgNamespaceOf, runtimeName, runtimePort } from '../../../crds/org-runtime-names.ts';
import { makeKeepAliveApiClient } from './keep-alive-api-client.ts';
import { readyEndpointUrlsOf } from './ready-endpoint-urls.ts';
import { retryThrottled } from './retry-throttled.ts';

/**
 * How the API reaches an org's runtime. `service-dns` (in cluster): the runtime Service's DNS
 * name, and kube-proxy picks a ready pod. `endpoint-slices` (an API outside the cluster, tests,
 * development): a ready endpoint of that Service, read from its EndpointSlices, at the address
 * `reachableAddressOf` gives for its pod IP (the pod IP itself by default; a test cluster whose
 * pods listen on loopback maps its pod IPs back, as a NAT would).
 */
export type RuntimeEndpointMode =
  | { kind: 'service-dns'; clusterDomain: string }
  | { kind: 'endpoint-slices'; reachableAddressOf?: (podAddress: string) => string };

// endpointOf runs on every request: a second-old view of the slices is fresh enough, since a pod
// that just went away is reported as runtime_unavailable and the next call sees the new view.
const slicesCacheMs = 1_000;

/** Base URL of an org's runtime: undefined when its Service has no ready endpoint. */
export function createOrgRuntimeAddresses(deps: { kubeConfig: KubeConfig; mode: RuntimeEndpointMode }) {
  const { mode } = deps;
  const discovery = makeKeepAliveApiClient(deps.kubeConfig, DiscoveryV1Api);
  const slices = new Map<string, { readAt: number; urls: Promise<string[]> }>();
  const turns = new Map<string, number>();

  function readyUrlsOf(namespace: string, options: { isFresh?: boolean } = {}): Promise<string[]> {
    const cached = slices.get(namespace);
    if (!options.isFresh && cached && Date.now() - cached.readAt < slicesCacheMs) return cached.urls;
    const labelSelector = `kubernetes.io/service-name=${runtimeName}`;
    const reachableAddressOf = mode.kind === 'endpoint-slices' ? mode.reachableAddressOf : undefined;
    const urls = retryThrottled(() => discovery.listNamespacedEndpointSlice({ namespace, labelSelector })).then(
      (list) => readyEndpointUrlsOf(list.items, { reachableAddressOf }),
    );
    slices.set(namespace, { readAt: Date.now(), urls });
    // A failed read is not cached: the next request tries again.
    urls.catch(() => slices.delete(namespace));
    return urls;
  }

  return {
    async baseUrlOf(orgSlug: string): Promise<string | undefined> {
      const namespace = orgNamespaceOf(orgSlug);
      if (mode.kind === 'service-dns')
        return `http://${runtimeName}.${namespace}.svc.${mode.clusterDomain}:${runtimePort}`;
      const urls = await readyUrlsOf(namespace);
      if (urls.length === 0) return undefined;
      // Round robin across the ready pods, as kube-proxy would spread the Service's traffic.
      const turn = turns.get(namespace) ?? 0;
      turns.set(namespace, turn + 1);
      return urls[turn % urls.length];
    },

    /**
     * Whether the org's runtime Service has a ready endpoint now, read afresh (a woken org is
     * waited for with it, in either mode); the next baseUrlOf sees what it read.
     */
    async hasReadyEndpoint(orgSlug: string): Promise<boolean> {
      return (await readyUrlsOf(orgNamespaceOf(orgSlug), { isFresh: true })).length > 0;
    },
  };
}
export type OrgRuntimeAddresses = ReturnType<typeof createOrgRuntimeAddresses>;

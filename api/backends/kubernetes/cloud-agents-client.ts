import { CustomObjectsApi, type KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { cloudAgentGroup, cloudAgentPlural, cloudAgentVersion } from '../../../crds/cloud-agent.ts';
import type { CloudAgentObject } from './build-cloud-agent.ts';
import { makeKeepAliveApiClient } from './keep-alive-api-client.ts';
import { kubeStatusOf } from './kube-api-errors.ts';
import { retryThrottled } from './retry-throttled.ts';

/** The field manager of everything the Cloud API applies: the operator's fields stay its own. */
export const apiFieldManager = 'astromesh-cloud-api';

/** What the Kubernetes backend does with CloudAgents, and nothing more (its RBAC allows no more). */
export interface CloudAgentsClient {
  list(namespace: string): Promise<CloudAgentObject[]>;
  /** Every org's CloudAgents, in one call (the API's ClusterRole may list them cluster-wide). */
  listAll(): Promise<CloudAgentObject[]>;
  /** Server-side apply, forced: the database is the source of truth, a hand edit loses. */
  apply(cloudAgent: CloudAgentObject): Promise<CloudAgentObject>;
  /** Asks for deletion (the operator's finalizer may keep it a while); already gone is fine. */
  delete(namespace: string, name: string): Promise<void>;
}

export function createCloudAgentsClient(kubeConfig: KubeConfig): CloudAgentsClient {
  const api = makeKeepAliveApiClient(kubeConfig, CustomObjectsApi);
  const resource = { group: cloudAgentGroup, version: cloudAgentVersion, plural: cloudAgentPlural };
  return {
    async list(namespace) {
      const list = (await retryThrottled(() => api.listNamespacedCustomObject({ ...resource, namespace }))) as {
        items: CloudAgentObject[];
      };
      return list.items;
    },
    async listAll() {
      const list = (await retryThrottled(() => api.listClusterCustomObject(resource))) as {
        items: CloudAgentObject[];
      };
      return list.items;
    },
    async apply(cloudAgent) {
      return (await retryThrottled(() =>
        api.patchNamespacedCustomObject(
          {
            ...resource,
            namespace: cloudAgent.metadata.namespace,
            name: cloudAgent.metadata.name,
            body: cloudAgent,
            fieldManager: apiFieldManager,
            force: true,
          },
          setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
        ),
      )) as CloudAgentObject;
    },
    async delete(namespace, name) {
      try {
        await retryThrottled(() => api.deleteNamespacedCustomObject({ ...resource, namespace, name }));
      } catch (err) {
        if (kubeStatusOf(err) !== 404) throw err;
      }
    },
  };
}

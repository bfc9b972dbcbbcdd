import { ApiException, CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { beforeAll } from 'vitest';
import { cloudAgentGroup, cloudAgentPlural, cloudAgentVersion } from '../../crds/cloud-agent.ts';
import { aCloudAgent } from './a-cloud-agent.ts';
import { applyCrds } from './apply-crds.ts';
import { createTestNamespace, testKubeConfig } from './test-kube.ts';

type CloudAgent = ReturnType<typeof aCloudAgent>;
type FieldValidation = 'Strict' | 'Ignore' | 'Warn';

const resource = { group: cloudAgentGroup, version: cloudAgentVersion, plural: cloudAgentPlural };

/**
 * The CloudAgent CRD on the test kube-apiserver (applied in beforeAll), for tests of what the
 * API server itself stores or refuses: each agent goes into a fresh namespace of its own.
 */
export function useCloudAgentCrd() {
  let kubeConfig: KubeConfig;
  let customObjects: CustomObjectsApi;
  beforeAll(async () => {
    kubeConfig = testKubeConfig();
    customObjects = kubeConfig.makeApiClient(CustomObjectsApi);
    await applyCrds(kubeConfig);
  });

  return {
    /** A valid CloudAgent in a fresh namespace; the test changes what it is about before storing it. */
    async aCloudAgentToStore(): Promise<CloudAgent> {
      return aCloudAgent({ namespace: await createTestNamespace(kubeConfig) });
    },

    /** Creates the agent and reads it back as the API server keeps it (throws its refusal). */
    // biome-ignore lint/suspicious/noExplicitAny: a custom object comes back untyped, as the client returns it
    async storeAndReadBack(agent: CloudAgent, fieldValidation?: FieldValidation): Promise<any> {
      const { namespace, name } = agent.metadata;
      await customObjects.createNamespacedCustomObject({ ...resource, namespace, body: agent, fieldValidation });
      return customObjects.getNamespacedCustomObject({ ...resource, namespace, name });
    },

    /** The API server's refusal of the agent, or undefined when it stored it. */
    async refusalOf(agent: CloudAgent, fieldValidation?: FieldValidation): Promise<ApiException<unknown> | undefined> {
      try {
        await customObjects.createNamespacedCustomObject({
          ...resource,
          namespace: agent.metadata.namespace,
          body: agent,
          fieldValidation,
        });
      } catch (err) {
        if (!(err instanceof ApiException)) throw err;
        return err;
      }
      return undefined;
    },
  };
}

import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { cloudAgentGroup, cloudAgentPlural, cloudAgentVersion } from '../../crds/cloud-agent.ts';
import { aCloudAgent } from '../support/a-cloud-agent.ts';
import { applyCrds } from '../support/apply-crds.ts';
import { createTestNamespace, testKubeConfig } from '../support/test-kube.ts';

const resource = { group: cloudAgentGroup, version: cloudAgentVersion, plural: cloudAgentPlural };

describe("the CloudAgent CRD keeps upstream 0.74's newer agent keys (a real kube-apiserver)", () => {
  let kubeConfig: KubeConfig;
  let customObjects: CustomObjectsApi;

  beforeAll(async () => {
    kubeConfig = testKubeConfig();
    customObjects = kubeConfig.makeApiClient(CustomObjectsApi);
    await applyCrds(kubeConfig);
  });

  it('stores knowledge.bundle, permissions, output_schema (nested, free-form) and prompts.context, and reads them back unchanged', async () => {
    const namespace = await createTestNamespace(kubeConfig);
    const agent = aCloudAgent({ namespace });
    const spec = agent.spec.agent.spec;
    spec.knowledge = { bundle: 'knowledge/support-kb' };
    spec.permissions = { allowed_actions: ['kb_*', 'calculator'], denied_actions: ['kb_index'] };
    spec.output_schema = {
      score: { type: 'integer' },
      contacts: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
    };
    spec.prompts = { ...spec.prompts, context: 'Customer tier: {{ tier }}' };

    await customObjects.createNamespacedCustomObject({ ...resource, namespace, body: agent });
    const stored = await customObjects.getNamespacedCustomObject({ ...resource, namespace, name: 'support-bot' });

    expect(stored.spec.agent.spec.knowledge).toEqual(spec.knowledge);
    expect(stored.spec.agent.spec.permissions).toEqual(spec.permissions);
    expect(stored.spec.agent.spec.output_schema).toEqual(spec.output_schema);
    expect(stored.spec.agent.spec.prompts).toEqual(spec.prompts);
  });
});

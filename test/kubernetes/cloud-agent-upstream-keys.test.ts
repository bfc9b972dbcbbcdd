import { describe, expect, it } from 'vitest';
import { useCloudAgentCrd } from '../support/use-cloud-agent-crd.ts';

describe("the CloudAgent CRD keeps upstream 0.74's newer agent keys (a real kube-apiserver)", () => {
  const { aCloudAgentToStore, storeAndReadBack } = useCloudAgentCrd();

  it('stores knowledge.bundle, permissions, output_schema (nested, free-form) and prompts.context, and reads them back unchanged', async () => {
    const agent = await aCloudAgentToStore();
    const spec = agent.spec.agent.spec;
    spec.knowledge = { bundle: 'knowledge/support-kb' };
    spec.permissions = { allowed_actions: ['kb_*', 'calculator'], denied_actions: ['kb_index'] };
    spec.output_schema = {
      score: { type: 'integer' },
      contacts: { type: 'array', items: { type: 'object', properties: { name: { type: 'string' } } } },
    };
    spec.prompts = { ...spec.prompts, context: 'Customer tier: {{ tier }}' };

    const stored = await storeAndReadBack(agent);

    expect(stored.spec.agent.spec.knowledge).toEqual(spec.knowledge);
    expect(stored.spec.agent.spec.permissions).toEqual(spec.permissions);
    expect(stored.spec.agent.spec.output_schema).toEqual(spec.output_schema);
    expect(stored.spec.agent.spec.prompts).toEqual(spec.prompts);
  });
});

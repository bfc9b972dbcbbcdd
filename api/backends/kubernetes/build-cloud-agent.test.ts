import { describe, expect, it } from 'vitest';
import { CloudAgentSpec } from '../../../crds/cloud-agent.ts';
import { compileWizardConfig } from '../../compiler/compile-wizard-config.ts';
import { WizardConfig } from '../../schemas/wizard-config.ts';
import { buildCloudAgent } from './build-cloud-agent.ts';

const anAgent = (name = 'support-bot', displayName?: string) =>
  compileWizardConfig({
    orgSlug: 'acme',
    config: WizardConfig.parse({ name, display_name: displayName, step1: { model: 'openai/gpt-4o-mini' } }),
  });

describe('buildCloudAgent', () => {
  it("names the CloudAgent after the agent, in the org namespace, labelled with the org, with the operator's finalizer on", () => {
    const agent = anAgent('support-bot', 'Support Bot');

    const cloudAgent = buildCloudAgent({ namespace: 'astromesh-org-acme', orgSlug: 'acme', agent, paused: false });

    expect(cloudAgent).toEqual({
      apiVersion: 'astromesh.io/v1alpha1',
      kind: 'CloudAgent',
      metadata: {
        name: 'support-bot',
        namespace: 'astromesh-org-acme',
        labels: { 'astromesh.io/org': 'acme' },
        finalizers: ['astromesh.io/runtime'],
      },
      spec: { orgSlug: 'acme', agentName: 'support-bot', displayName: 'Support Bot', paused: false, agent },
    });
  });

  it('carries the agent version the API stamped on the agent as spec.version, for kubectl to show', () => {
    const agent = compileWizardConfig({
      orgSlug: 'acme',
      config: WizardConfig.parse({ name: 'support-bot', step1: { model: 'openai/gpt-4o-mini' } }),
      version: 4,
    });

    const cloudAgent = buildCloudAgent({ namespace: 'ns', orgSlug: 'acme', agent, paused: false });

    expect(cloudAgent.spec.version).toBe(4);
    expect(CloudAgentSpec.parse(cloudAgent.spec)).toEqual(cloudAgent.spec);
  });

  it('writes a spec the CloudAgent schema accepts, paused or not', () => {
    for (const paused of [false, true]) {
      const cloudAgent = buildCloudAgent({ namespace: 'ns', orgSlug: 'acme', agent: anAgent(), paused });

      expect(CloudAgentSpec.parse(cloudAgent.spec)).toEqual(cloudAgent.spec);
    }
  });

  it("refuses an agent of another org rather than write a spec the CRD's rule rejects", () => {
    const agent = compileWizardConfig({
      orgSlug: 'globex',
      config: WizardConfig.parse({ name: 'bot', step1: { model: 'openai/gpt-4o-mini' } }),
    });

    expect(() => buildCloudAgent({ namespace: 'ns', orgSlug: 'acme', agent, paused: false })).toThrow(
      "agent 'globex__bot' does not belong to org 'acme'",
    );
  });
});

import { describe, expect, it } from 'vitest';
import { aCloudAgent } from '../test/support/a-cloud-agent.ts';
import { CloudAgentSpec, CloudAgentStatus } from './cloud-agent.ts';

// The same rules the CRD's CEL expressions enforce on the API server, checked in TypeScript so
// the Cloud API refuses a bad CloudAgent before it ever reaches Kubernetes.
describe('CloudAgentSpec', () => {
  it('accepts what the Cloud API writes and defaults paused to false', () => {
    const { spec } = aCloudAgent({ namespace: 'astromesh-org-acme' });
    delete spec.paused;

    expect(CloudAgentSpec.parse(spec).paused).toBe(false);
  });

  it('requires the compiled agent id to be {orgSlug}__{agentName}', () => {
    const { spec } = aCloudAgent({ namespace: 'astromesh-org-acme' });
    spec.agent.metadata.name = 'globex__support-bot';

    const result = CloudAgentSpec.safeParse(spec);

    expect(result.error?.issues).toEqual([
      expect.objectContaining({ path: ['agent', 'metadata', 'name'], message: 'must be acme__support-bot' }),
    ]);
  });

  it('requires primary or default model candidates', () => {
    const { spec } = aCloudAgent({ namespace: 'astromesh-org-acme' });
    spec.agent.spec.model = {};

    const result = CloudAgentSpec.safeParse(spec);

    expect(result.error?.issues).toEqual([
      expect.objectContaining({ path: ['agent', 'spec', 'model'], message: 'either primary or default must be set' }),
    ]);
  });

  it('refuses an org slug that is not URL-safe', () => {
    const { spec } = aCloudAgent({ namespace: 'astromesh-org-acme' });
    spec.orgSlug = 'Acme Corp';

    expect(CloudAgentSpec.safeParse(spec).error?.issues[0]?.path).toEqual(['orgSlug']);
  });
});

describe('CloudAgentStatus', () => {
  it('accepts metav1.Condition-shaped conditions', () => {
    const status = {
      phase: 'Ready',
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'RuntimeReady',
          message: '',
          lastTransitionTime: '2026-11-22T10:00:00Z',
        },
      ],
    };

    expect(CloudAgentStatus.parse(status)).toEqual(status);
  });

  it('refuses a condition reason the API server would refuse', () => {
    const status = {
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'not a reason',
          message: '',
          lastTransitionTime: '2026-11-22T10:00:00Z',
        },
      ],
    };

    expect(CloudAgentStatus.safeParse(status).error?.issues[0]?.path).toEqual(['conditions', 0, 'reason']);
  });
});

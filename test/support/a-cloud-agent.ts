import type { z } from 'zod';
import {
  agentIdOf,
  type CloudAgentSpec,
  cloudAgentGroup,
  cloudAgentKind,
  cloudAgentVersion,
} from '../../crds/cloud-agent.ts';

type CloudAgentSpecInput = z.input<typeof CloudAgentSpec>;

/** A valid CloudAgent, as the Cloud API would write it; tests change what they are about. */
export function aCloudAgent(options: { namespace: string; org?: string; name?: string }) {
  const { namespace, org = 'acme', name = 'support-bot' } = options;
  const spec: CloudAgentSpecInput = {
    orgSlug: org,
    agentName: name,
    displayName: 'Support Bot',
    paused: false,
    agent: {
      apiVersion: 'astromesh/v1',
      kind: 'Agent',
      metadata: { name: agentIdOf(org, name), version: '1.0.0' },
      spec: {
        identity: { display_name: 'Support Bot' },
        model: {
          primary: { provider: 'openai', model: 'gpt-4o-mini' },
          fallback: { provider: 'anthropic', model: 'claude-sonnet-4-20250514' },
        },
        prompts: { system: 'You are a helpful support agent.' },
        orchestration: { pattern: 'react', max_iterations: 10 },
        tools: [{ name: 'calculator', type: 'builtin' }],
        memory: { conversational: { backend: 'memory', strategy: 'sliding_window', window_size: 10 } },
        guardrails: { input: [{ type: 'pii_detection', action: 'redact' }] },
      },
    },
  };
  return {
    apiVersion: `${cloudAgentGroup}/${cloudAgentVersion}`,
    kind: cloudAgentKind,
    metadata: { name, namespace },
    spec,
  };
}

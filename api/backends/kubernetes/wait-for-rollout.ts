import { setTimeout as delay } from 'node:timers/promises';
import { DeployTimeout } from '../deploy-timeout.ts';
import { applyCloudAgents, type DesiredCloudAgent } from './apply-cloud-agents.ts';
import { CloudAgentFailed } from './cloud-agent-failed.ts';
import type { CloudAgentsClient } from './cloud-agents-client.ts';
import { rolloutProgressOf } from './rollout-progress.ts';

/**
 * Polls the namespace's CloudAgents (one list per poll, whatever the number of agents) until the
 * operator reports every desired one in its phase at the generation applied. A desired CloudAgent
 * that is absent (its old object's finalizer just let go, or someone deleted it) is applied
 * (again) rather than waited for. Throws CloudAgentFailed at once on a Failed phase, DeployTimeout
 * past the deadline.
 */
export async function waitForRollout(input: {
  client: CloudAgentsClient;
  namespace: string;
  desired: DesiredCloudAgent[];
  timeoutMs: number;
  pollIntervalMs: number;
}): Promise<void> {
  const { client, namespace, desired } = input;
  const deadline = Date.now() + input.timeoutMs;
  for (;;) {
    const observed = await client.list(namespace);
    await applyCloudAgents({ client, desired, observed });
    const progress = rolloutProgressOf(
      desired.map((want) => ({
        name: want.cloudAgent.metadata.name,
        phase: want.phase,
        generation: want.generation ?? Number.POSITIVE_INFINITY,
      })),
      observed,
    );
    if (progress.state === 'served') return;
    if (progress.state === 'failed') throw new CloudAgentFailed({ agentName: progress.name, reason: progress.reason });
    if (Date.now() >= deadline)
      throw new DeployTimeout({ timeoutMs: input.timeoutMs, waitingFor: progress.waitingFor });
    await delay(input.pollIntervalMs);
  }
}

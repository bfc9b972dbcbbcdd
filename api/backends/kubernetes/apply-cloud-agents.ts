import type { CloudAgentObject } from './build-cloud-agent.ts';
import type { CloudAgentsClient } from './cloud-agents-client.ts';
import type { ExpectedCloudAgent } from './rollout-progress.ts';

export interface DesiredCloudAgent {
  cloudAgent: CloudAgentObject;
  phase: ExpectedCloudAgent['phase'];
  /** The generation its apply returned; undefined while an old object of that name is terminating. */
  generation?: number;
}

/**
 * Applies each desired CloudAgent not applied yet, or gone since it was, and records the
 * generation the API server gave it; `observed` is updated with what came back. One whose old
 * object is still terminating waits: applying to it would only patch an object about to vanish,
 * or be refused once the operator's finalizer is off and another still holds it (the API server
 * adds no finalizer to an object being deleted).
 */
export async function applyCloudAgents(input: {
  client: CloudAgentsClient;
  desired: DesiredCloudAgent[];
  observed: CloudAgentObject[];
}): Promise<void> {
  for (const want of input.desired) {
    const name = want.cloudAgent.metadata.name;
    const index = input.observed.findIndex((cloudAgent) => cloudAgent.metadata.name === name);
    const current = input.observed[index];
    if (current?.metadata.deletionTimestamp) continue;
    if (current && want.generation !== undefined) continue;
    const applied = await input.client.apply(want.cloudAgent);
    want.generation = applied.metadata.generation ?? 1;
    if (index >= 0) input.observed.splice(index, 1, applied);
    else input.observed.push(applied);
  }
}

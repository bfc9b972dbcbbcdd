import type { CloudAgentObject } from './build-cloud-agent.ts';

/** A CloudAgent the API applied and the phase it waits for, at the generation the apply made. */
export interface ExpectedCloudAgent {
  name: string;
  phase: 'Ready' | 'Paused';
  generation: number;
}

export type RolloutProgress =
  | { state: 'served' }
  | { state: 'failed'; name: string; reason: string }
  | { state: 'waiting'; waitingFor: string[] };

/**
 * How far the operator got with the CloudAgents the API applied: each must report its expected
 * phase for the generation applied (or a later one); an older status says nothing about the new
 * spec. A Failed phase at that generation ends the wait at once: the operator refused the spec.
 * A Ready agent of a sleeping org is not served yet: the deploy that waits has woken the org.
 */
export function rolloutProgressOf(expected: ExpectedCloudAgent[], observed: CloudAgentObject[]): RolloutProgress {
  const byName = new Map(observed.map((cloudAgent) => [cloudAgent.metadata.name, cloudAgent]));
  const waitingFor: string[] = [];
  for (const want of expected) {
    const cloudAgent = byName.get(want.name);
    if (!cloudAgent) {
      waitingFor.push(`${want.name}: not found`);
      continue;
    }
    if (cloudAgent.metadata.deletionTimestamp) {
      waitingFor.push(`${want.name}: still being deleted`);
      continue;
    }
    const status = cloudAgent.status ?? {};
    if ((status.observedGeneration ?? -1) < want.generation) {
      waitingFor.push(`${want.name}: generation ${want.generation} not observed by the operator yet`);
      continue;
    }
    if (status.phase === 'Failed') return { state: 'failed', name: want.name, reason: failureReasonOf(cloudAgent) };
    if (status.phase !== want.phase) waitingFor.push(`${want.name}: ${status.phase ?? 'no phase'}, not ${want.phase}`);
    // A deploy wakes its org first: a Ready that still says Sleeping is from before the operator
    // saw the wake, and nothing serves the agent yet.
    else if (isSleeping(cloudAgent)) waitingFor.push(`${want.name}: its org's runtime is still asleep`);
  }
  return waitingFor.length === 0 ? { state: 'served' } : { state: 'waiting', waitingFor };
}

function isSleeping(cloudAgent: CloudAgentObject): boolean {
  const ready = cloudAgent.status?.conditions?.find((condition) => condition.type === 'Ready');
  return cloudAgent.status?.phase === 'Ready' && ready?.reason === 'Sleeping';
}

function failureReasonOf(cloudAgent: CloudAgentObject): string {
  const conditions = cloudAgent.status?.conditions ?? [];
  const failing =
    conditions.find((condition) => condition.type === 'Ready' && condition.status === 'False') ??
    conditions.find((condition) => condition.type === 'Accepted' && condition.status === 'False') ??
    conditions.find((condition) => condition.status === 'False');
  if (!failing) return 'the operator marked it Failed';
  return failing.message ? `${failing.message} (${failing.reason})` : failing.reason;
}

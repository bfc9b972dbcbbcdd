import { formatPath } from '../../runtime/config/load-agent-file.ts';
import { tooLarge } from './agent-file-issues.ts';
import { agentsConfigEntry } from './build-runtime-objects.ts';
import type { Acceptance, CloudAgent } from './cloud-agent-status.ts';

/**
 * What the API server lets a ConfigMap hold: its keys and values together, in bytes
 * (`ValidateConfigMap`, core.MaxSecretSize). The operator writes all of an org's agents into one.
 */
export const configMapMaxBytes = 1024 * 1024;

export interface AcceptedAgent {
  agent: CloudAgent;
  acceptance: Acceptance;
}

/**
 * The org's agents with those refused that do not fit in its agents ConfigMap. Without this, one
 * large agent would make the API server refuse the whole ConfigMap, and no agent of the org would
 * be served or updated again. Places go first to agents accepted as they are now (their status
 * says so for their current generation), then by age (creation time, then name): a new or grown
 * agent never pushes out one already served. An agent that does not fit is Failed, naming the
 * field to shorten. Paused agents take no place: the runtime does not load them.
 */
export function fitAgentsConfig(agents: AcceptedAgent[]): AcceptedAgent[] {
  const served = agents.filter(({ acceptance }) => acceptance.accepted && !acceptance.spec.paused);
  const refused = new Map<CloudAgent, Acceptance>();
  let usedBytes = 0;
  for (const { agent, acceptance } of [...served].sort((a, b) => byPlace(a.agent, b.agent))) {
    if (!acceptance.accepted) continue;
    const [fileName, yaml] = agentsConfigEntry(acceptance.spec.agent);
    const bytes = Buffer.byteLength(fileName, 'utf8') + Buffer.byteLength(yaml, 'utf8');
    if (usedBytes + bytes <= configMapMaxBytes) {
      usedBytes += bytes;
      continue;
    }
    refused.set(agent, {
      accepted: false,
      reason: 'ConfigTooLarge',
      message:
        `${formatPath(['spec', 'agent'])}: ${tooLarge(acceptance.spec.agent, bytes)}, and the org's agents created ` +
        `before it already take ${usedBytes} of the ${configMapMaxBytes} bytes their ConfigMap may hold: ` +
        'shorten this agent, or remove or pause another',
    });
  }
  return agents.map((entry) => {
    const acceptance = refused.get(entry.agent);
    return acceptance ? { agent: entry.agent, acceptance } : entry;
  });
}

function byPlace(a: CloudAgent, b: CloudAgent): number {
  // Creation times have one-second resolution: two agents of one second are told apart by whether
  // one was already accepted, not by their names.
  const created = (agent: CloudAgent) => String(agent.metadata?.creationTimestamp ?? '');
  return (
    Number(isAcceptedAsItIs(b)) - Number(isAcceptedAsItIs(a)) ||
    created(a).localeCompare(created(b)) ||
    (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '')
  );
}

function isAcceptedAsItIs(agent: CloudAgent): boolean {
  const accepted = agent.status?.conditions?.find((condition) => condition.type === 'Accepted');
  return accepted?.status === 'True' && accepted.observedGeneration === agent.metadata?.generation;
}

import {
  type CloudAgentSpec,
  type CloudAgentStatus,
  cloudAgentGroup,
  cloudAgentKind,
  cloudAgentVersion,
} from '../../../crds/cloud-agent.ts';
import { orgLabel } from '../../../crds/org-runtime-names.ts';
import type { AgentDocument } from '../../../runtime/config/agent-schema.ts';

/** A CloudAgent as the API writes it (and reads it back, status and server fields included). */
export interface CloudAgentObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace: string;
    labels?: Record<string, string>;
    uid?: string;
    generation?: number;
    deletionTimestamp?: string;
    finalizers?: string[];
  };
  spec: CloudAgentSpec;
  status?: CloudAgentStatus;
}

/**
 * The deployment projection of one compiled agent (DESIGN.md decision 2): named after the agent,
 * in its org's namespace, labelled with the org. Pure: the same input always gives the same object.
 */
export function buildCloudAgent(input: {
  namespace: string;
  orgSlug: string;
  agent: AgentDocument;
  paused: boolean;
}): CloudAgentObject {
  const { namespace, orgSlug, agent, paused } = input;
  const agentName = agentNameOf(orgSlug, agent);
  const displayName = agent.spec.identity?.display_name;
  return {
    apiVersion: `${cloudAgentGroup}/${cloudAgentVersion}`,
    kind: cloudAgentKind,
    metadata: { name: agentName, namespace, labels: { [orgLabel]: orgSlug } },
    spec: { orgSlug, agentName, ...(displayName ? { displayName } : {}), paused, agent },
  };
}

/** `support-bot` from the agent id `acme__support-bot`. */
function agentNameOf(orgSlug: string, agent: AgentDocument): string {
  const prefix = `${orgSlug}__`;
  if (!agent.metadata.name.startsWith(prefix)) {
    throw new Error(`agent '${agent.metadata.name}' does not belong to org '${orgSlug}'`);
  }
  return agent.metadata.name.slice(prefix.length);
}

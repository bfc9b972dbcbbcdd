import {
  type CloudAgentSpec,
  type CloudAgentStatus,
  cloudAgentGroup,
  cloudAgentKind,
  cloudAgentVersion,
  runtimeFinalizer,
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
 *
 * It carries the operator's finalizer from its creation: the operator would otherwise add it with
 * a write of its own before serving the agent (one per CloudAgent on a cold start). The operator
 * still removes it, with a patch that works whoever owns the entry; the API server refuses to add
 * a finalizer to an object being deleted, so a later apply cannot bring it back onto one.
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
  // The agent version the API stamped (compileWizardConfig), shown by `kubectl get cloudagents`.
  const version = /^[1-9][0-9]{0,8}$/.test(agent.metadata.version ?? '') ? Number(agent.metadata.version) : undefined;
  return {
    apiVersion: `${cloudAgentGroup}/${cloudAgentVersion}`,
    kind: cloudAgentKind,
    metadata: { name: agentName, namespace, labels: { [orgLabel]: orgSlug }, finalizers: [runtimeFinalizer] },
    spec: {
      orgSlug,
      agentName,
      ...(displayName ? { displayName } : {}),
      paused,
      ...(version === undefined ? {} : { version }),
      agent,
    },
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

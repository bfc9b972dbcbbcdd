import { agentVersionContentOf } from '../compiler/agent-version-content-of.ts';
import type { McpToolServers } from '../compiler/compile-mcp-tool.ts';
import type { Queryable } from '../db/database.ts';
import type { Principal } from '../http/principal.ts';
import type { WizardConfig } from '../schemas/wizard-config.ts';
import {
  findLatestAgentVersion,
  insertNextAgentVersion,
  type VersionDeployer,
} from '../stores/agent-versions-store.ts';
import { type AgentRecord, setAgentDeployedVersion } from '../stores/agents-store.ts';

/**
 * Marks the agent deployed with `config` and records the version that is, inside the caller's
 * deploy transaction (a deploy that fails records nothing). A config whose compiled YAML has the
 * latest version's checksum is that version again: redeploying an unchanged config, or rolling
 * back to the latest, makes no new one.
 */
export async function deployAsVersion(
  client: Queryable,
  input: {
    orgSlug: string;
    agent: AgentRecord;
    config: WizardConfig;
    principal: Principal;
    /** A rollback: the version whose config this brings back. */
    rolledBackFrom?: number;
    /** The org's MCP servers, so the version's YAML is the file the runtime gets. */
    mcp?: McpToolServers;
  },
): Promise<AgentRecord> {
  const { agent, config } = input;
  const content = agentVersionContentOf({ orgSlug: input.orgSlug, config, mcp: input.mcp });
  const latest = await findLatestAgentVersion(client, agent.id);
  const version =
    latest?.checksum === content.checksum
      ? latest.version
      : (
          await insertNextAgentVersion(client, {
            agentId: agent.id,
            config,
            ...content,
            deployedBy: deployerOf(input.principal),
            rolledBackFrom: input.rolledBackFrom ?? null,
          })
        ).version;
  return setAgentDeployedVersion(client, { id: agent.id, config, version });
}

const deployerOf = (principal: Principal): VersionDeployer =>
  principal.kind === 'user' ? { kind: 'user', userId: principal.userId } : { kind: 'api_key', keyId: principal.keyId };

import { agentIdOf } from '../../crds/cloud-agent.ts';
import { agentVersionContentOf } from '../compiler/agent-version-content-of.ts';
import type { McpToolServers } from '../compiler/compile-mcp-tool.ts';
import { wizardConfigIssues } from '../compiler/compile-wizard-config.ts';
import { inTransaction, type Queryable } from '../db/database.ts';
import { AppError, Conflict, InvalidInput, NotFound } from '../errors.ts';
import type { OrgAccess } from '../http/principal.ts';
import {
  mergeWizardConfig,
  WizardConfig,
  type WizardConfigInput,
  type WizardConfigPatch,
} from '../schemas/wizard-config.ts';
import { type AgentVersionRecord, findAgentVersion, listAgentVersions } from '../stores/agent-versions-store.ts';
import {
  type AgentRecord,
  countAgents,
  deleteAgent,
  findAgent,
  insertAgent,
  listAgents,
  setAgentStatus,
  updateAgentConfig,
} from '../stores/agents-store.ts';
import { deployAsVersion } from './deploy-as-version.ts';
import type { McpToolServersOf } from './mcp-servers/mcp-tool-servers-of.ts';
import {
  applyOrgDeployment,
  inOrgDeploymentTransaction,
  lockOrgDeployment,
  type OrgDeploymentDeps,
} from './org-deployment.ts';

export interface AgentServiceDeps extends OrgDeploymentDeps {
  limits: { maxAgents: number };
  mcpToolServersOf: McpToolServersOf;
}

/**
 * Agents and their lifecycle (seeds 001 and 003): draft → deployed → paused → deployed; a
 * transition to the current state is a 409, editing a deployed agent is a 409, delete works from
 * any state (undeploying first). Deployment changes happen inside the database transaction, so a
 * failed deploy leaves the agent as it was, and the backend is put back to match it.
 */
export function createAgentService(deps: AgentServiceDeps) {
  const { db } = deps;

  async function changeDeployment(
    access: OrgAccess,
    name: string,
    change: (
      agent: AgentRecord,
      client: Parameters<Parameters<typeof inTransaction>[1]>[0],
    ) => Promise<AgentRecord | undefined>,
  ): Promise<AgentRecord | undefined> {
    const org = { id: access.orgId, slug: access.orgSlug };
    return inOrgDeploymentTransaction(deps, org, async (client) => {
      const agent = await findAgent(client, { orgId: access.orgId, name, forUpdate: true });
      if (!agent) throw new NotFound(`agent '${name}'`);
      const changed = await change(agent, client);
      await applyOrgDeployment(client, deps, org);
      return changed;
    });
  }

  /**
   * The org's MCP servers as the compiler takes them, read in the caller's transaction; a config
   * naming a server the org does not have is a 400 naming the entry. Agents are saved and
   * deployed under the org's lock, which a server's deletion takes too, so none slips between.
   */
  async function mcpServersFor(client: Queryable, access: OrgAccess, config: WizardConfig): Promise<McpToolServers> {
    const mcp = await deps.mcpToolServersOf(client, access.orgId);
    (config.step3.mcp_servers ?? []).forEach((server, index) => {
      if (!Object.hasOwn(mcp.servers, server)) {
        throw new InvalidInput(
          `step3.mcp_servers[${index}]: the org has no MCP server named '${server}' (PUT /orgs/${access.orgSlug}/mcp-servers/${server} first)`,
          400,
          `step3.mcp_servers[${index}]`,
        );
      }
    });
    return mcp;
  }

  async function getAgent(access: OrgAccess, name: string): Promise<AgentRecord> {
    const agent = await findAgent(db, { orgId: access.orgId, name });
    if (!agent) throw new NotFound(`agent '${name}'`);
    return agent;
  }

  return {
    list: (access: OrgAccess) => listAgents(db, access.orgId),

    get: getAgent,

    async create(access: OrgAccess, input: WizardConfig): Promise<AgentRecord> {
      // The org's lock may be held by a deploy under way: wait for it as long as a deploy may take.
      return inTransaction(
        db,
        async (client) => {
          await lockOrgDeployment(client, access.orgId);
          checkRuntimeAccepts(access, input, await mcpServersFor(client, access, input));
          if ((await countAgents(client, access.orgId)) >= deps.limits.maxAgents) {
            throw new Conflict(
              'agent_limit_reached',
              `an org may have at most ${deps.limits.maxAgents} agents; delete one first`,
            );
          }
          const agent = await insertAgent(client, { orgId: access.orgId, config: input });
          if (!agent)
            throw new Conflict('agent_exists', `an agent named '${input.name}' already exists in '${access.orgSlug}'`);
          return agent;
        },
        { waitsOutsideDatabase: true },
      );
    },

    async update(access: OrgAccess, name: string, patch: WizardConfigPatch): Promise<AgentRecord> {
      if (patch.name !== undefined && patch.name !== name) {
        // 422, not 400: the body is well-formed; it names another agent than the path does.
        throw new InvalidInput(`name: an agent cannot be renamed ('${name}' → '${patch.name}'); create a new one`, 422);
      }
      const org = { id: access.orgId, slug: access.orgSlug };
      // The org lock first, as every deployment change takes it before the agent's row.
      return inOrgDeploymentTransaction(deps, org, async (client) => {
        const agent = await findAgent(client, { orgId: access.orgId, name, forUpdate: true });
        if (!agent) throw new NotFound(`agent '${name}'`);
        if (agent.status === 'deployed') {
          throw new Conflict('agent_deployed', `agent '${name}' is deployed; pause it before editing (POST …/pause)`);
        }
        const merged = parseMerged(mergeWizardConfig(agent.config, patch));
        checkRuntimeAccepts(access, merged, await mcpServersFor(client, access, merged));
        const updated = await updateAgentConfig(client, agent.id, merged);
        // A paused agent's CloudAgent carries its compiled config: keep the projection current.
        if (agent.status === 'paused') await applyOrgDeployment(client, deps, org);
        return updated;
      });
    },

    async deploy(access: OrgAccess, name: string): Promise<AgentRecord> {
      const deployed = await changeDeployment(access, name, async (agent, client) => {
        if (agent.status === 'deployed')
          throw new Conflict('agent_already_deployed', `agent '${name}' is already deployed`);
        const mcp = await mcpServersFor(client, access, agent.config);
        checkRuntimeAccepts(access, agent.config, mcp);
        const { orgSlug, principal } = access;
        return deployAsVersion(client, { orgSlug, agent, config: agent.config, principal, mcp });
      });
      return deployed as AgentRecord;
    },

    /**
     * Deploys an earlier version's config, by the rules of deploy (422 if the runtime would now
     * refuse it, 502/504 if the runtime cannot serve it). A deployed agent may roll back without a
     * pause; one that already runs that config is in the target state: 409 agent_already_deployed.
     */
    async rollback(access: OrgAccess, name: string, version: number): Promise<AgentRecord> {
      const deployed = await changeDeployment(access, name, async (agent, client) => {
        const target = await findAgentVersion(client, { agentId: agent.id, version });
        // The agent (the URL) exists and the body is valid: whether it has that version is its state,
        // as whether it is deployed is (404 would say the agent is missing, 422 the body is wrong).
        if (!target) throw new Conflict('version_not_found', `version: agent '${name}' has no version ${version}`);
        const { orgSlug, principal } = access;
        const mcp = await mcpServersFor(client, access, target.config);
        if (
          agent.status === 'deployed' &&
          agentVersionContentOf({ orgSlug, config: agent.config, mcp }).checksum === target.checksum
        ) {
          throw new Conflict(
            'agent_already_deployed',
            `agent '${name}' is already deployed with the config of version ${version}`,
          );
        }
        checkRuntimeAccepts(access, target.config, mcp);
        return deployAsVersion(client, {
          orgSlug,
          agent,
          config: target.config,
          principal,
          rolledBackFrom: version,
          mcp,
        });
      });
      return deployed as AgentRecord;
    },

    async versions(access: OrgAccess, name: string): Promise<AgentVersionRecord[]> {
      return listAgentVersions(db, (await getAgent(access, name)).id);
    },

    async version(access: OrgAccess, name: string, version: number): Promise<AgentVersionRecord> {
      const agent = await getAgent(access, name);
      const found = await findAgentVersion(db, { agentId: agent.id, version });
      if (!found) throw new NotFound(`version ${version} of agent '${name}'`);
      return found;
    },

    async pause(access: OrgAccess, name: string): Promise<AgentRecord> {
      const paused = await changeDeployment(access, name, async (agent, client) => {
        if (agent.status !== 'deployed') {
          throw new Conflict(
            agent.status === 'paused' ? 'agent_already_paused' : 'agent_not_deployed',
            `agent '${name}' is ${agent.status}; only a deployed agent can be paused`,
          );
        }
        return setAgentStatus(client, agent.id, 'paused');
      });
      return paused as AgentRecord;
    },

    async remove(access: OrgAccess, name: string): Promise<void> {
      const org = { id: access.orgId, slug: access.orgSlug };
      await inOrgDeploymentTransaction(deps, org, async (client) => {
        const agent = await findAgent(client, { orgId: access.orgId, name, forUpdate: true });
        if (!agent) throw new NotFound(`agent '${name}'`);
        await deleteAgent(client, agent.id);
        // A deployed agent is undeployed first (seed 001) and a paused one loses its CloudAgent;
        // drafts have no deployment at all.
        if (agent.status !== 'draft') await applyOrgDeployment(client, deps, org);
      });
    },

    agentIdOf: (access: OrgAccess, name: string) => agentIdOf(access.orgSlug, name),
  };
}
export type AgentService = ReturnType<typeof createAgentService>;

function parseMerged(input: WizardConfigInput): WizardConfig {
  const result = WizardConfig.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new InvalidInput(`${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid'}`);
}

/** 422 naming the wizard field when the runtime would refuse the compiled agent. */
function checkRuntimeAccepts(access: OrgAccess, config: WizardConfig, mcp: McpToolServers): void {
  const issues = wizardConfigIssues({ orgSlug: access.orgSlug, config, mcp });
  const first = issues[0];
  if (first) throw new AppError('validation_failed', 422, `${first.field}: ${first.message}`);
}

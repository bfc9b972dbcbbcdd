import { z } from 'zod';
import { AgentName, agentIdOf } from '../../crds/cloud-agent.ts';
import { orgRoute } from '../http/api-route.ts';
import { managers } from '../http/principal.ts';
import { AgentSummary } from '../schemas/agent-summary.ts';
import { AgentView } from '../schemas/agent-view.ts';
import { WizardConfig, WizardConfigPatch } from '../schemas/wizard-config.ts';
import type { AgentService } from '../services/agent-service.ts';
import type { AgentRecord } from '../stores/agents-store.ts';

const OrgParams = z.object({ slug: z.string() });
const AgentParams = z.object({ slug: z.string(), name: AgentName });

const iso = (date: Date | null) => (date ? date.toISOString() : null);
const summaryOf = (agent: AgentRecord): z.infer<typeof AgentSummary> => ({
  name: agent.name,
  display_name: agent.displayName,
  status: agent.status,
  model: agent.config.step1.model,
  created_at: agent.createdAt.toISOString(),
  deployed_at: iso(agent.deployedAt),
});
const viewOf = (orgSlug: string, agent: AgentRecord): AgentView => ({
  ...summaryOf(agent),
  agent_id: agentIdOf(orgSlug, agent.name),
  updated_at: agent.updatedAt.toISOString(),
  paused_at: iso(agent.pausedAt),
  wizard_config: agent.config,
  version: agent.version,
});

export function agentRoutes(agents: AgentService) {
  return [
    orgRoute({
      method: 'get',
      path: '/orgs/{slug}/agents',
      summary: 'List the agents of the org',
      tag: 'Agents',
      params: OrgParams,
      response: z.object({ agents: z.array(AgentSummary) }),
      handle: async ({ access }) => ({ agents: (await agents.list(access)).map(summaryOf) }),
    }),
    orgRoute({
      method: 'post',
      path: '/orgs/{slug}/agents',
      summary: 'Create an agent (draft) from a WizardConfig',
      tag: 'Agents',
      roles: managers,
      params: OrgParams,
      body: WizardConfig,
      response: AgentView,
      status: 201,
      errors: [409, 422],
      handle: async ({ access, body }) => viewOf(access.orgSlug, await agents.create(access, body)),
    }),
    orgRoute({
      method: 'get',
      path: '/orgs/{slug}/agents/{name}',
      summary: "Get an agent's full config and status",
      tag: 'Agents',
      params: AgentParams,
      response: AgentView,
      errors: [404],
      handle: async ({ access, params }) => viewOf(access.orgSlug, await agents.get(access, params.name)),
    }),
    orgRoute({
      method: 'put',
      path: '/orgs/{slug}/agents/{name}',
      summary: "Merge a partial WizardConfig into a draft or paused agent's config",
      tag: 'Agents',
      roles: managers,
      params: AgentParams,
      body: WizardConfigPatch,
      response: AgentView,
      errors: [404, 409, 422, 502, 504],
      handle: async ({ access, params, body }) =>
        viewOf(access.orgSlug, await agents.update(access, params.name, body)),
    }),
    orgRoute({
      method: 'delete',
      path: '/orgs/{slug}/agents/{name}',
      summary: 'Delete an agent, undeploying it first if deployed',
      tag: 'Agents',
      roles: managers,
      params: AgentParams,
      status: 204,
      errors: [404, 502, 504],
      handle: async ({ access, params }) => {
        await agents.remove(access, params.name);
      },
    }),
    orgRoute({
      method: 'post',
      path: '/orgs/{slug}/agents/{name}/deploy',
      summary: 'Compile the agent and serve it from the org runtime (draft/paused → deployed)',
      tag: 'Agents',
      roles: managers,
      params: AgentParams,
      response: z.object({
        status: z.literal('deployed'),
        agent_id: z.string(),
        deployed_at: z.string(),
        version: z.int().describe('The version deployed: a new one unless the config equals the latest version.'),
      }),
      errors: [404, 409, 422, 502, 504],
      handle: async ({ access, params }) => {
        const agent = await agents.deploy(access, params.name);
        return {
          status: 'deployed' as const,
          agent_id: agentIdOf(access.orgSlug, agent.name),
          deployed_at: (agent.deployedAt as Date).toISOString(),
          version: agent.version as number,
        };
      },
    }),
    orgRoute({
      method: 'post',
      path: '/orgs/{slug}/agents/{name}/pause',
      summary: 'Stop serving the agent; its config is kept (deployed → paused)',
      tag: 'Agents',
      roles: managers,
      params: AgentParams,
      response: z.object({ status: z.literal('paused'), paused_at: z.string() }),
      errors: [404, 409, 502, 504],
      handle: async ({ access, params }) => {
        const agent = await agents.pause(access, params.name);
        return { status: 'paused' as const, paused_at: (agent.pausedAt as Date).toISOString() };
      },
    }),
  ];
}

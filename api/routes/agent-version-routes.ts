import { z } from 'zod';
import { AgentName, agentIdOf } from '../../crds/cloud-agent.ts';
import { configFieldChanges } from '../diff/config-field-changes.ts';
import { unifiedLineDiff } from '../diff/unified-line-diff.ts';
import { orgRoute } from '../http/api-route.ts';
import { managers } from '../http/principal.ts';
import {
  AgentVersionDiff,
  AgentVersionDiffQuery,
  AgentVersionSummary,
  AgentVersionView,
  RollbackAgentBody,
  VersionNumber,
} from '../schemas/agent-version.ts';
import type { AgentService } from '../services/agent-service.ts';
import type { AgentVersionRecord } from '../stores/agent-versions-store.ts';

const AgentParams = z.object({ slug: z.string(), name: AgentName });
const VersionParams = AgentParams.extend({ n: VersionNumber });

const summaryOf = (version: AgentVersionRecord, currentVersion: number | null): AgentVersionSummary => ({
  version: version.version,
  checksum: version.checksum,
  deployed_by:
    version.deployedBy.kind === 'user'
      ? { user_id: version.deployedBy.userId }
      : { api_key_id: version.deployedBy.keyId },
  rolled_back_from: version.rolledBackFrom,
  created_at: version.createdAt.toISOString(),
  is_current: version.version === currentVersion,
});

/** An agent's versions (issue 15): what each deploy ran, how two differ, and rolling back to one. */
export function agentVersionRoutes(agents: AgentService) {
  return [
    orgRoute({
      method: 'get',
      path: '/orgs/{slug}/agents/{name}/versions',
      summary: "The agent's versions, newest first",
      tag: 'Agents',
      params: AgentParams,
      response: z.object({ versions: z.array(AgentVersionSummary) }),
      errors: [404],
      handle: async ({ access, params }) => {
        const agent = await agents.get(access, params.name);
        const versions = await agents.versions(access, params.name);
        return { versions: versions.map((version) => summaryOf(version, agent.version)) };
      },
    }),
    orgRoute({
      method: 'get',
      path: '/orgs/{slug}/agents/{name}/versions/{n}',
      summary: 'One version of the agent: its WizardConfig and compiled YAML',
      tag: 'Agents',
      params: VersionParams,
      response: AgentVersionView,
      errors: [404],
      handle: async ({ access, params }) => {
        const agent = await agents.get(access, params.name);
        const version = await agents.version(access, params.name, params.n);
        return { ...summaryOf(version, agent.version), wizard_config: version.config, yaml: version.yaml };
      },
    }),
    orgRoute({
      method: 'get',
      path: '/orgs/{slug}/agents/{name}/versions/{n}/diff',
      summary: 'What changed from one version (?against=, the one before by default) to version {n}',
      tag: 'Agents',
      params: VersionParams,
      query: AgentVersionDiffQuery,
      response: AgentVersionDiff,
      errors: [404],
      handle: async ({ access, params, query }) => {
        const to = await agents.version(access, params.name, params.n);
        // Version 1 has none before it: compared with nothing, everything in it is added (as a
        // first commit's diff shows it).
        const againstNumber = query.against ?? (params.n > 1 ? params.n - 1 : undefined);
        const from = againstNumber === undefined ? undefined : await agents.version(access, params.name, againstNumber);
        return {
          from: from?.version ?? null,
          to: to.version,
          yaml_diff: unifiedLineDiff({
            from: from?.yaml ?? '',
            to: to.yaml,
            fromLabel: from ? `version ${from.version}` : '/dev/null',
            toLabel: `version ${to.version}`,
          }),
          config_changes: configFieldChanges(from?.config ?? {}, to.config),
        };
      },
    }),
    orgRoute({
      method: 'post',
      path: '/orgs/{slug}/agents/{name}/rollback',
      summary: "Deploy an earlier version's config (draft/paused/deployed → deployed)",
      description:
        'The rules and errors of deploy: 422 when the runtime would refuse that config now, 502/504 when the ' +
        "runtime cannot serve it (nothing changes then). A deployed agent needs no pause first; one already running that version's " +
        'config answers 409 agent_already_deployed, and a version the agent does not have 409 version_not_found. The config becomes the agent\u2019s; the rollback is recorded as a new version ' +
        '(rolled_back_from) unless it equals the latest version.',
      tag: 'Agents',
      roles: managers,
      params: AgentParams,
      body: RollbackAgentBody,
      response: z.object({
        status: z.literal('deployed'),
        agent_id: z.string(),
        deployed_at: z.string(),
        version: z.int().describe('The version the agent runs now.'),
      }),
      errors: [404, 409, 422, 502, 504],
      handle: async ({ access, params, body }) => {
        const agent = await agents.rollback(access, params.name, body.version);
        return {
          status: 'deployed' as const,
          agent_id: agentIdOf(access.orgSlug, agent.name),
          deployed_at: (agent.deployedAt as Date).toISOString(),
          version: agent.version as number,
        };
      },
    }),
  ];
}

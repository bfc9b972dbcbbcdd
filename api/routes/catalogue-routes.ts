import { z } from 'zod';
import { buildWizardCatalogue } from '../catalogue/build-wizard-catalogue.ts';
import { defaultModel, suggestedModels } from '../catalogue/suggested-models.ts';
import type { McpToolServers } from '../compiler/compile-mcp-tool.ts';
import { previewWizardConfig } from '../compiler/preview-wizard-config.ts';
import { authenticatedRoute, orgRoute } from '../http/api-route.ts';
import { CompiledAgentPreview } from '../schemas/compiled-agent-preview.ts';
import { WizardCatalogue } from '../schemas/wizard-catalogue.ts';
import { WizardConfig } from '../schemas/wizard-config.ts';

const OrgParams = z.object({ slug: z.string() });

/**
 * What the agent wizard reads besides the agent: what it may offer, and the compiled preview.
 * `mcpServersOf` gives the preview the org's MCP servers (GET /orgs/{slug}/mcp-servers lists them
 * for the wizard), so it compiles their entries as a deploy would and names a server the org lacks.
 */
export function catalogueRoutes(deps: { mcpServersOf?: (orgId: string) => Promise<McpToolServers> } = {}) {
  // The catalogue depends on the code alone: built once.
  const catalogue = buildWizardCatalogue({ models: suggestedModels, defaultModel });
  return [
    authenticatedRoute({
      method: 'get',
      path: '/catalogue',
      summary: 'What the agent wizard offers: providers and suggested models, tools, guardrails, memory',
      description:
        'Read from the lists the API validates a WizardConfig with, so everything offered here is accepted by ' +
        'POST /orgs/{slug}/agents. Which providers an org has keys for is GET /orgs/{slug}/providers.',
      tag: 'Agents',
      response: WizardCatalogue,
      handle: async () => catalogue,
    }),
    orgRoute({
      method: 'post',
      path: '/orgs/{slug}/agents/compile',
      summary: 'Compile a WizardConfig to the astromesh/v1 agent YAML, with what the runtime would refuse',
      description:
        'Saves nothing. A body the WizardConfig schema refuses is a 400 naming the field; what the runtime ' +
        'would refuse (a prompt template that does not parse…) is listed in issues, by field. The YAML holds no secret.',
      tag: 'Agents',
      params: OrgParams,
      body: WizardConfig,
      response: CompiledAgentPreview,
      handle: async ({ access, body }) =>
        previewWizardConfig({ orgSlug: access.orgSlug, config: body, mcp: await deps.mcpServersOf?.(access.orgId) }),
    }),
  ];
}

import { renderAgentYaml } from '../../runtime/config/render-agent-yaml.ts';
import type { CompiledAgentPreview } from '../schemas/compiled-agent-preview.ts';
import type { WizardConfig } from '../schemas/wizard-config.ts';
import type { McpToolServers } from './compile-mcp-tool.ts';
import { compileWizardConfig, wizardConfigIssues } from './compile-wizard-config.ts';

/**
 * The wizard's review: the agent as the runtime would load it, and every issue the runtime would
 * refuse it for (create, update and deploy stop at the first). The compiled document holds no
 * credential (provider keys, and MCP servers' URLs and tokens, reach the runtime apart, in its
 * credentials file or Secret, and the YAML names them only), so the
 * YAML is safe to show any member of the org.
 */
export function previewWizardConfig(input: {
  orgSlug: string;
  config: WizardConfig;
  mcp?: McpToolServers;
}): CompiledAgentPreview {
  const { mcp } = input;
  // Saving or deploying refuses these with a 400 (agent-service.ts); the review lists them first.
  const unknownServers = mcp
    ? (input.config.step3.mcp_servers ?? []).flatMap((server, index) =>
        Object.hasOwn(mcp.servers, server)
          ? []
          : [{ field: `step3.mcp_servers[${index}]`, message: `the org has no MCP server named '${server}'` }],
      )
    : [];
  return {
    yaml: renderAgentYaml(compileWizardConfig(input)),
    issues: [...unknownServers, ...wizardConfigIssues(input)],
  };
}

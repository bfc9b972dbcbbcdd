import { renderAgentYaml } from '../../runtime/config/render-agent-yaml.ts';
import type { CompiledAgentPreview } from '../schemas/compiled-agent-preview.ts';
import type { WizardConfig } from '../schemas/wizard-config.ts';
import type { McpToolServers } from './compile-mcp-tool.ts';
import { compileWizardConfig, wizardConfigIssues } from './compile-wizard-config.ts';

/**
 * The wizard's review: the agent as the runtime would load it, and every issue the runtime would
 * refuse it for (create, update and deploy stop at the first). The compiled document holds no
 * credential (provider keys reach the runtime apart, in its credentials file or Secret), so the
 * YAML is safe to show any member of the org.
 */
export function previewWizardConfig(input: {
  orgSlug: string;
  config: WizardConfig;
  mcp?: McpToolServers;
}): CompiledAgentPreview {
  return { yaml: renderAgentYaml(compileWizardConfig(input)), issues: wizardConfigIssues(input) };
}

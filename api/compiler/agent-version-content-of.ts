import { createHash } from 'node:crypto';
import { renderAgentYaml } from '../../runtime/config/render-agent-yaml.ts';
import type { WizardConfig } from '../schemas/wizard-config.ts';
import type { McpToolServers } from './compile-mcp-tool.ts';
import { compileWizardConfig } from './compile-wizard-config.ts';

/**
 * What an agent version records of a config: the compiled YAML (keys sorted, so the same config
 * always gives the same text) and its sha256. Compiled without a version stamp, so the checksum
 * names the content alone: a redeploy of an unchanged config finds the latest version's checksum.
 */
export function agentVersionContentOf(input: { orgSlug: string; config: WizardConfig; mcp?: McpToolServers }): {
  yaml: string;
  checksum: string;
} {
  const yaml = renderAgentYaml(compileWizardConfig(input));
  return { yaml, checksum: createHash('sha256').update(yaml).digest('hex') };
}

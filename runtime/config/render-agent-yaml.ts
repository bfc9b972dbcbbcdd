import { dump } from 'js-yaml';
import type { AgentDocument } from './agent-schema.ts';

/**
 * An agent as the file the runtime loads. Keys are sorted, so the same agent always gives the same
 * text: the operator hashes it to decide when the runtime's pods roll.
 */
export function renderAgentYaml(agent: AgentDocument): string {
  return dump(agent, { lineWidth: -1, sortKeys: true });
}

import { maxAgentFileBytes } from '../../runtime/config/agent-file-limits.ts';
import type { AgentDocument } from '../../runtime/config/agent-schema.ts';
import {
  type AgentCheck,
  AgentFileError,
  type ConfigIssue,
  formatPath,
  parseAgentYaml,
} from '../../runtime/config/load-agent-file.ts';
import { mcpConfigProblems } from '../../runtime/tools/mcp/mcp-config-problems.ts';
import { agentsConfigEntry } from './build-runtime-objects.ts';
import { largestFieldOf } from './largest-field-of.ts';

/**
 * The runtime pods start with --disable-mcp-stdio: a tool of type mcp must name a server it can
 * reach (a url), and a stdio one is refused here rather than by a pod that would never load it.
 */
const mcpToolsCheck: AgentCheck = (agent) =>
  (agent.spec.tools ?? []).flatMap((tool, index) =>
    tool.type === 'mcp' ? mcpConfigProblems(tool, index, { allowStdio: false }) : [],
  );

/**
 * What the runtime would refuse in the very file the operator writes for an agent: its size, or
 * anything the YAML round trip changes. The spec passed the same checks as an object, but the
 * runtime reads text, so the text is checked too: an agent is Accepted only if its file loads.
 * Paths are relative to the agent document.
 */
export function agentFileIssues(agent: AgentDocument): ConfigIssue[] {
  let fileName: string;
  let yaml: string;
  try {
    [fileName, yaml] = agentsConfigEntry(agent);
  } catch (err) {
    return [{ path: [], message: `cannot be written as an agent file: ${(err as Error).message}` }];
  }
  const bytes = Buffer.byteLength(yaml, 'utf8');
  if (bytes > maxAgentFileBytes) {
    return [{ path: [], message: `${tooLarge(agent, bytes)}, more than the ${maxAgentFileBytes} the runtime reads` }];
  }
  try {
    parseAgentYaml(yaml, fileName, [mcpToolsCheck]);
    return [];
  } catch (err) {
    if (err instanceof AgentFileError) return err.issues;
    throw err;
  }
}

/** `its agent file is 1200000 bytes (its largest field is spec.agent.spec.prompts.system: 1100000 bytes)`. */
export function tooLarge(agent: AgentDocument, bytes: number): string {
  const largest = largestFieldOf(agent);
  const field = largest && formatPath(['spec', 'agent', ...largest.path]);
  const detail = largest ? ` (its largest field is ${field}: ${largest.bytes} bytes)` : '';
  return `its agent file is ${bytes} bytes${detail}`;
}

import type { AgentDocument } from '../config/agent-schema.ts';
import type { ConfigIssue } from '../config/load-agent-file.ts';

export const agentRequired = "a tool of type agent names, in 'agent', the agent it runs";

/**
 * Load-time checks for agent and client tools and the patterns built on them: tool names are
 * unique (the model calls tools by name), and supervisor and swarm have workers (their agent
 * tools), as upstream requires.
 */
export const agentAndClientToolChecks: ((agent: AgentDocument) => ConfigIssue[])[] = [
  (agent) => {
    const tools = agent.spec.tools ?? [];
    return tools.flatMap((tool, index): ConfigIssue[] =>
      // Two built-in tools of one name are the built-in toolset's to report.
      tool.type !== 'builtin' && tools.some((other, at) => at < index && other.name === tool.name)
        ? [{ path: ['spec', 'tools', index, 'name'], message: `tool '${tool.name}' is listed more than once` }]
        : [],
    );
  },
  (agent) => {
    const pattern = agent.spec.orchestration?.pattern;
    if (pattern !== 'supervisor' && pattern !== 'swarm') return [];
    if ((agent.spec.tools ?? []).some((tool) => tool.type === 'agent')) return [];
    const role = pattern === 'supervisor' ? 'its workers' : 'the agents it can hand off to';
    return [
      {
        path: ['spec', 'orchestration', 'pattern'],
        message: `${pattern} needs at least one tool of type agent: they are ${role}`,
      },
    ];
  },
];

import type { AgentCheck, ConfigIssue } from '../config/load-agent-file.ts';
import { validateGuardrailRules } from '../guardrails/validate-guardrail-rules.ts';
import { glyphProgramCheck } from '../patterns/glyph/glyph-program-check.ts';
import { agentAndClientToolChecks, agentRequired } from '../tools/agent-and-client-tool-checks.ts';
import { builtinToolNames } from '../tools/builtin-tools.ts';
import { bundleTools } from '../tools/bundle-tools.ts';
import { mcpConfigProblems } from '../tools/mcp/mcp-config-problems.ts';
import { findContextTransformProblem } from './evaluate-context-transform.ts';

/**
 * What an agent file must satisfy beyond its schema, for this runtime: tools it can run,
 * guardrails that really guard; and a warning for a memory backend it does not have.
 */
export function createAgentChecks(runtime: {
  hasPostgresMemory: boolean;
  /** False: an MCP server of transport stdio refuses the agent (the Cloud's runtimes). Default true. */
  allowMcpStdio?: boolean;
}): AgentCheck[] {
  return [
    (agent) =>
      (agent.spec.tools ?? []).flatMap((tool, index): ConfigIssue[] => {
        if (tool.type === 'agent')
          return tool.agent ? [] : [{ path: ['spec', 'tools', index, 'agent'], message: agentRequired }];
        if (tool.type === 'client') return [];
        if (tool.type === 'mcp') return mcpConfigProblems(tool, index, { allowStdio: runtime.allowMcpStdio ?? true });
        if (bundleTools.some((bundleTool) => bundleTool.name === tool.name)) {
          const message = agent.spec.knowledge?.bundle
            ? `knowledge.bundle provides ${tool.name}; remove it from tools[]`
            : `${tool.name} comes with knowledge.bundle, not from tools[]`;
          return [{ path: ['spec', 'tools', index, 'name'], message }];
        }
        if (!builtinToolNames.includes(tool.name)) {
          return [
            {
              path: ['spec', 'tools', index, 'name'],
              message: `unknown built-in tool '${tool.name}' (GET /v1/tools/builtin lists them)`,
            },
          ];
        }
        return [];
      }),
    ...agentAndClientToolChecks,
    glyphProgramCheck,
    (agent) =>
      validateGuardrailRules(agent.spec.guardrails).map((problem) => ({
        path: ['spec', 'guardrails', ...problem.path],
        message: problem.message,
      })),
    // A context_transform that cannot be read fails every call of its tool (upstream too, at call
    // time); the agent loads, and its author hears of it now.
    (agent) =>
      (agent.spec.tools ?? []).flatMap((tool, index): ConfigIssue[] => {
        const problem =
          tool.context_transform === undefined ? undefined : findContextTransformProblem(tool.context_transform);
        if (problem === undefined) return [];
        return [
          {
            path: ['spec', 'tools', index, 'context_transform'],
            message: `cannot be read (${problem}); every call of this tool fails`,
            isWarning: true,
          },
        ];
      }),
    // Upstream routes a role_map target that model.roles lacks to the default candidates, silently;
    // it runs here too, and the author hears of it.
    (agent) =>
      Object.entries(agent.spec.orchestration?.role_map ?? {}).flatMap(([role, target]): ConfigIssue[] =>
        target === 'default' || Object.hasOwn(agent.spec.model.roles ?? {}, target)
          ? []
          : [
              {
                path: ['spec', 'orchestration', 'role_map', role],
                message: `model role '${target}' is not in spec.model.roles; this role uses the default candidates`,
                isWarning: true,
              },
            ],
      ),
    // Upstream runs an agent whose conversational backend it cannot build without memory, and
    // warns; so do we (chooseConversationStore gives it a store that keeps nothing).
    (agent) =>
      agent.spec.memory?.conversational?.backend === 'postgres' && !runtime.hasPostgresMemory
        ? [
            {
              path: ['spec', 'memory', 'conversational', 'backend'],
              message:
                'postgres memory needs the runtime to be started with --memory postgres://…; without it the agent runs without conversational memory, as upstream does',
              isWarning: true,
            },
          ]
        : [],
  ];
}

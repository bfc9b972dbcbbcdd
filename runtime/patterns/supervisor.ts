import type { ToolResult } from '../tools/tool-types.ts';
import type { Pattern } from './pattern-types.ts';
import { reactLoop } from './react.ts';

/**
 * A supervisor only delegates: the model (role `supervisor`) is offered just the agent's tools of
 * type agent, its workers; each call runs that agent with the sub-task as its query and returns
 * its answer; the model collects the answers and writes the reply. A call to any other tool is not
 * run, and the model is told so (upstream's semantics). Bounded by max_iterations like react.
 */
export const supervisor: Pattern = async ({ messages, maxIterations, steps, workers }) => {
  const allowed = new Set(workers);
  await reactLoop({
    messages,
    maxIterations,
    steps: { ...steps, tools: steps.tools.filter((tool) => allowed.has(tool.name)) },
    role: 'supervisor',
    streamText: true,
    runTool: (call, options) =>
      allowed.has(call.name) ? steps.callTool(call, options) : Promise.resolve(notAWorker(call.name)),
  });
};

function notAWorker(tool: string): ToolResult {
  return { success: false, error: { code: 'refused', message: `'${tool}' is not one of this supervisor's workers` } };
}

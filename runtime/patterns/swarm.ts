import type { ChatMessage } from '../router/model-types.ts';
import type { ToolResult } from '../tools/tool-types.ts';
import type { Pattern } from './pattern-types.ts';
import { reactLoop } from './react.ts';

// How much of the conversation the next agent receives: the newest turns that fit (upstream's bounds).
const transcriptMaxTurns = 20;
const transcriptMaxChars = 8000;

/**
 * Agents hand off to each other. The model (role `reasoner`) works like react, and is also offered
 * the agent's tools of type agent: calling one hands the conversation to that agent, whose answer
 * is the run's answer (control does not come back). A chain of agents makes at most
 * `orchestration.max_handoffs` hand-offs (default 3): an agent at the limit is no longer offered
 * its hand-off tools, and a call to one is refused. A hand-off that fails goes back to the model
 * as any failed tool does.
 */
export const swarm: Pattern = async ({ messages, maxIterations, steps, workers, handoffs }) => {
  const canHandOff = handoffs.made < handoffs.max;
  const targets = new Set(workers);
  const transcript = transcriptOf(messages);
  await reactLoop({
    messages,
    maxIterations,
    steps: canHandOff ? steps : { ...steps, tools: steps.tools.filter((tool) => !targets.has(tool.name)) },
    role: 'reasoner',
    streamText: true,
    runTool: async (call, options) => {
      if (!targets.has(call.name)) return steps.callTool(call, options);
      if (!canHandOff) return handoffLimitReached(call.name, handoffs.max);
      const input = isRecord(call.input) ? call.input : {};
      const request = typeof input.query === 'string' ? input.query : JSON.stringify(input.query ?? '');
      const query = transcript === '' ? `Request: ${request}` : `${transcript}\n\nRequest: ${request}`;
      return steps.callTool({ ...call, input: { ...input, query } }, { ...options, handoff: { rememberAs: request } });
    },
    finalAnswerOf: (call, result) =>
      canHandOff &&
      targets.has(call.name) &&
      result.success &&
      isRecord(result.data) &&
      typeof result.data.answer === 'string'
        ? result.data.answer
        : undefined,
  });
};

/** The conversation so far (system prompt left out), newest last, bounded in turns and characters. */
function transcriptOf(messages: ChatMessage[]): string {
  const lines: string[] = [];
  let total = 0;
  for (const message of [...messages].reverse()) {
    if (message.role === 'system' || message.role === 'tool' || message.content === '') continue;
    const line = `${message.role}: ${message.content}`;
    if (lines.length >= transcriptMaxTurns || total + line.length > transcriptMaxChars) break;
    lines.unshift(line);
    total += line.length + 1;
  }
  return lines.join('\n');
}

function handoffLimitReached(tool: string, max: number): ToolResult {
  return {
    success: false,
    error: { code: 'refused', message: `'${tool}' is not available: this chain of agents made its ${max} hand-offs` },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

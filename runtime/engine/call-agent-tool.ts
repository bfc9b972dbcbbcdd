import { z } from 'zod';
import type { ToolCall, Usage } from '../router/model-types.ts';
import type { ToolResult } from '../tools/tool-types.ts';
import { evaluateContextTransform } from './evaluate-context-transform.ts';
import { RunRequest, type RunResult } from './run-request.ts';

/** Where a run sits in a chain of agents calling agents; a run a caller starts is the chain's first. */
export interface AgentChain {
  /** Agents above this run: 0 for a caller's run. */
  depth: number;
  /** Swarm hand-offs made so far in the chain. */
  handoffs: number;
  /** What this run remembers as the user's turn, when not its query (a hand-off remembers the request only). */
  rememberAs?: string;
  parentTraceId?: string;
}

// Cycles are refused at load, so a chain is as deep as the agents' graph; this only bounds a
// graph that changed while a run was under way.
const maxChainDepth = 16;

/**
 * A tool of type agent: runs the target agent of this runtime with the model's `query` (or, for a
 * tool with its own parameters and no query, the arguments as JSON) and returns its answer as
 * `{ answer }`, as upstream does. The target keeps its memory in a session of its own, derived
 * from the caller's, so the two never duplicate each other's turns. Any failure of the target
 * (unknown, unavailable, timed out) is the tool's failure, which the calling model reads.
 *
 * The target gets none of the caller's context (its prompt variables, its conversation): only the
 * query, and, when the tool has a `context_transform`, that transform's value over the call's
 * arguments as its prompt variables, as upstream does. A transform that fails fails the call.
 */
export async function callAgentTool(options: {
  target: string;
  call: ToolCall;
  signal: AbortSignal;
  sessionId: string;
  chain: AgentChain;
  traceId: string;
  handoff?: { rememberAs: string };
  /** The tool's context_transform: the target's prompt variables, from the call's arguments. */
  contextTransform?: string;
  /** Given the target run's token usage when it ends, whether it answered or failed. */
  chargeUsage: (usage: Usage) => void;
  run: (
    name: string,
    request: RunRequest,
    options: { signal: AbortSignal; chain: AgentChain; chargeUsage: (usage: Usage) => void },
  ) => Promise<RunResult>;
}): Promise<ToolResult> {
  const { target, call, chain } = options;
  if (chain.depth + 1 >= maxChainDepth) {
    return failure('refused', `agent '${target}' would be ${maxChainDepth} agents deep; the chain stops here`);
  }
  const input = typeof call.input === 'object' && call.input !== null ? (call.input as Record<string, unknown>) : {};
  const query = typeof input.query === 'string' ? input.query : JSON.stringify(input);
  if (query.trim() === '' || query === '{}')
    return failure('invalid_input', `${call.name} needs a query for agent '${target}'`);
  let context: RunRequest['context'];
  if (options.contextTransform?.trim()) {
    try {
      context = RunRequest.shape.context.parse(await evaluateContextTransform(options.contextTransform, input));
    } catch (err) {
      const reason =
        err instanceof z.ZodError ? z.prettifyError(err) : err instanceof Error ? err.message : String(err);
      return failure('failed', `context transform failed: ${reason}`);
    }
  }
  try {
    const result = await options.run(
      target,
      { query, session_id: `${options.sessionId}::${target}`.slice(0, 256), ...(context ? { context } : {}) },
      {
        signal: options.signal,
        chargeUsage: options.chargeUsage,
        chain: {
          depth: chain.depth + 1,
          handoffs: chain.handoffs + (options.handoff ? 1 : 0),
          rememberAs: options.handoff?.rememberAs,
          parentTraceId: options.traceId,
        },
      },
    );
    return { success: true, data: { answer: result.response || `(agent '${target}' gave no answer)` } };
  } catch (err) {
    return failure('failed', `agent '${target}': ${err instanceof Error ? err.message : String(err)}`);
  }
}

function failure(code: 'refused' | 'invalid_input' | 'failed', message: string): ToolResult {
  return { success: false, error: { code, message } };
}

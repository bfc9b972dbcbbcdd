import type {
  ChatMessage,
  ModelRequest,
  ModelResponse,
  ToolCall,
  ToolDefinition,
  Usage,
} from '../router/model-types.ts';
import type { ToolResult } from '../tools/tool-types.ts';
import type { GlyphSettings } from './glyph/glyph.ts';

/** What a run tells a streaming caller as it goes (seed 002's WebSocket events, minus `done`). */
export type RunEvent =
  | { type: 'token'; content: string }
  | { type: 'tool_call'; id: string; tool: string; input: unknown }
  | {
      type: 'tool_result';
      id: string;
      tool: string;
      output: unknown;
      success: boolean;
      truncated?: ToolResultTruncation;
    };

/**
 * Set when the model read a cut version of a tool's result (its token budget,
 * `orchestration.max_tool_result_tokens` or the tool's `max_result_tokens`). The caller still
 * gets the whole `output`; this says what the model did not see.
 */
export interface ToolResultTruncation {
  /** The whole result's estimated tokens. */
  tokens: number;
  /** The budget the model's copy was cut to. */
  max_tokens: number;
  /** List elements left out of the model's copy; 0 when its text was cut instead. */
  omitted: number;
}

export interface ToolCallRecord {
  tool: string;
  input: unknown;
  output: unknown;
  success: boolean;
  truncated?: ToolResultTruncation;
}

/** How a pattern calls a tool beyond its name and input. */
export interface ToolCallOptions {
  /**
   * A swarm hand-off: the call passes the conversation to the agent the tool runs, whose answer
   * is the run's answer. That agent remembers only `rememberAs`, the request the model wrote,
   * and counts one more hand-off in its chain.
   */
  handoff?: { rememberAs: string };
  /**
   * The result goes back to the model as a tool message: it is cut to the tool's token budget,
   * and the returned result carries the text the model reads. Glyph leaves it unset, as upstream:
   * its programs compute with the results, which a cut would change.
   */
  forModel?: boolean;
}

/** A tool's result; `modelText` is what the model reads when the call was made `forModel`. */
export type ToolOutcome = ToolResult & { modelText?: string };

/** The tools one agent may use, as the orchestration loop sees them. */
export interface ToolInvoker {
  definitions: ToolDefinition[];
  execute(call: ToolCall, signal: AbortSignal, options?: ToolCallOptions): Promise<ToolResult>;
}

/**
 * One model call or tool call of a pattern, with the bookkeeping every pattern needs: usage,
 * model and tool time, the tool-call log, spans, and streaming of the answer's text.
 */
export interface StepRunner {
  /** `streamText`: this call writes (part of) the final answer, so its text goes out as tokens. */
  callModel(request: ModelRequest, options: { streamText: boolean }): Promise<ModelResponse>;
  callTool(call: ToolCall, options?: ToolCallOptions): Promise<ToolOutcome>;
  /** Streams text that no model call of this run wrote (a swarm's final agent's answer) as the answer's next part. */
  writeAnswer(text: string): void;
  readonly tools: ToolDefinition[];
  readonly signal: AbortSignal;
}

export interface PatternInput {
  /** System prompt (rendered), remembered history, then the user's message. */
  messages: ChatMessage[];
  query: string;
  maxIterations: number;
  steps: StepRunner;
  /** The agent's tools of type agent: a supervisor's workers, the agents a swarm hands off to. */
  workers: readonly string[];
  /** Hand-offs made so far in the chain of agents this run belongs to, and how many it may make. */
  handoffs: { made: number; max: number };
  /** The glyph pattern's settings (narrate, repairs, a fixed program) and the request's context. */
  glyph: GlyphSettings;
}

/**
 * An orchestration pattern. It writes its answer by streaming model calls (`streamText: true`);
 * the answer is exactly the text streamed, so a run's `response` always equals the tokens a
 * WebSocket client received.
 */
export type Pattern = (input: PatternInput) => Promise<void>;

export interface StepTotals {
  /** Everything streamed as tokens: the answer. */
  answer: string;
  usage: Usage;
  modelMs: number;
  toolMs: number;
  toolCalls: ToolCallRecord[];
  /** The candidate that answered the last model call (`provider/model`). */
  model: string | undefined;
  provider: string | undefined;
}

// The contract between orchestration and model providers (STYLE.md, rule 11). Patterns speak
// only these types; the AI SDK stays under router/providers/.

export interface ToolCall {
  /** Provider-assigned id that ties the tool's result back to the call. */
  id: string;
  name: string;
  input: unknown;
}

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: ToolCall[] }
  | { role: 'tool'; toolCallId: string; toolName: string; content: string };

/** A tool as the model sees it: a name, what it does, and a JSON Schema (type object) for its input. */
export interface ToolDefinition {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

export interface ModelRequest {
  messages: ChatMessage[];
  tools?: ToolDefinition[];
  /** Orchestration role (planner, worker, synthesizer, stage:analyze…); selects the candidate group. */
  role?: string;
  /** Overrides the candidate's own max_tokens, e.g. for a short planning call. */
  maxOutputTokens?: number;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

export type FinishReason = 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'error' | 'other';

export interface ModelResponse {
  text: string;
  toolCalls: ToolCall[];
  usage: Usage;
  finishReason: FinishReason;
  /** `provider/model` of the candidate that answered, e.g. `openai/gpt-4o-mini`. */
  model: string;
  provider: string;
}

/** Streaming output: text deltas as the provider sends them, then exactly one `finish`. */
export type ModelChunk =
  | { type: 'text'; text: string }
  | { type: 'tool_call'; call: ToolCall }
  | { type: 'finish'; response: ModelResponse };

/** What the orchestration patterns call. One per agent; it owns candidates, retries and fallback. */
export interface ModelRouter {
  generate(request: ModelRequest, signal: AbortSignal): Promise<ModelResponse>;
  stream(request: ModelRequest, signal: AbortSignal): AsyncIterable<ModelChunk>;
}

/**
 * One model candidate (a provider + model + endpoint + key), as router/providers builds it.
 * It makes exactly one attempt per call: retries, backoff, timeouts and fallback belong to the
 * router. Failures are thrown as ProviderCallError.
 */
export interface CandidateClient {
  /** `provider/model`, used in responses, traces and error messages. */
  readonly label: string;
  generate(request: ModelRequest, signal: AbortSignal): Promise<ModelResponse>;
  stream(request: ModelRequest, signal: AbortSignal): AsyncIterable<ModelChunk>;
}

/** Why one attempt at one candidate failed, and whether trying it again could help. */
export class ProviderCallError extends Error {
  override name = 'ProviderCallError';
  readonly candidate: string;
  /** HTTP status from the provider, when there was a response. */
  readonly status: number | undefined;
  /** 429, 5xx, timeouts and connection failures are retryable; 4xx (bad key, bad model) are not. */
  readonly isRetryable: boolean;

  constructor(options: { candidate: string; message: string; status?: number; isRetryable: boolean; cause?: unknown }) {
    super(options.message, { cause: options.cause });
    this.candidate = options.candidate;
    this.status = options.status;
    this.isRetryable = options.isRetryable;
  }
}

import type { FinishReason, ToolCall, Usage } from '../model-types.ts';

/** What one Chat Completions answer says, in our terms. */
export interface ChatCompletionResult {
  text: string;
  toolCalls: ToolCall[];
  usage: Usage;
  finishReason: FinishReason;
}

/**
 * A non-streamed Chat Completions answer, checked by hand (no schema library on the hot path):
 * whatever does not have the shape the answer needs throws MalformedAnswerError, naming the field.
 * Fields we do not use are not checked, as providers add their own.
 */
export function readChatCompletion(bodyText: string): ChatCompletionResult {
  const body = parseJson(bodyText);
  const choices = field(body, 'choices');
  if (!Array.isArray(choices) || choices.length === 0)
    throw new MalformedAnswerError('choices: expected a non-empty array');
  const choice = choices[0] as unknown;
  const message = field(choice, 'message');
  if (typeof message !== 'object' || message === null)
    throw new MalformedAnswerError('choices[0].message: expected an object');
  const content = field(message, 'content');
  if (content !== undefined && content !== null && typeof content !== 'string') {
    throw new MalformedAnswerError('choices[0].message.content: expected a string or null');
  }
  const rawCalls = field(message, 'tool_calls') ?? [];
  if (!Array.isArray(rawCalls)) throw new MalformedAnswerError('choices[0].message.tool_calls: expected an array');
  const toolCalls = rawCalls.map((call: unknown, index) => {
    const where = `choices[0].message.tool_calls[${index}]`;
    const id = field(call, 'id');
    const fn = field(call, 'function');
    const name = field(fn, 'name');
    const args = field(fn, 'arguments');
    if (typeof name !== 'string') throw new MalformedAnswerError(`${where}.function.name: expected a string`);
    if (args !== undefined && args !== null && typeof args !== 'string') {
      throw new MalformedAnswerError(`${where}.function.arguments: expected a string`);
    }
    return { id: typeof id === 'string' ? id : `call_${index}`, name, input: parseToolInput(args ?? '') };
  });
  return {
    text: content ?? '',
    toolCalls,
    usage: readUsage(field(body, 'usage')),
    finishReason: toFinishReason(field(choice, 'finish_reason'), isNonEmptyString(field(message, 'refusal'))),
  };
}

/** The provider answered 2xx with something that is not a Chat Completions answer. */
export class MalformedAnswerError extends Error {
  override name = 'MalformedAnswerError';
  constructor(detail: string) {
    super(`the provider's answer is not a Chat Completions response: ${detail}`);
  }
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    const start = text.slice(0, 80).replace(/\s+/g, ' ');
    throw new MalformedAnswerError(`not JSON (${text.length === 0 ? 'an empty body' : `starts with "${start}"`})`);
  }
}

/**
 * A tool call's arguments as the AI SDK handed them over: `{}` for none, the parsed JSON, or the
 * text itself when it is not JSON (the tools layer validates the input and tells the model).
 */
export function parseToolInput(argumentsText: string): unknown {
  if (argumentsText.trim() === '') return {};
  try {
    return JSON.parse(argumentsText);
  } catch {
    return argumentsText;
  }
}

export function readUsage(usage: unknown): Usage {
  const input = field(usage, 'prompt_tokens');
  const output = field(usage, 'completion_tokens');
  return { inputTokens: typeof input === 'number' ? input : 0, outputTokens: typeof output === 'number' ? output : 0 };
}

/** @ai-sdk/openai's mapping, which toModelResponse passed on: a refusal is a content filter's stop. */
export function toFinishReason(reason: unknown, hasRefusal: boolean): FinishReason {
  switch (reason) {
    case 'stop':
      return hasRefusal ? 'content-filter' : 'stop';
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content-filter';
    case 'function_call':
    case 'tool_calls':
      return 'tool-calls';
    default:
      return 'other';
  }
}

export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

export function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
}

import type { LanguageModelUsage, FinishReason as SdkFinishReason } from 'ai';
import type { FinishReason, ModelResponse, ToolCall } from '../model-types.ts';

/** A tool call as the AI SDK reports it, valid or not: the tools layer validates the input. */
export interface SdkToolCall {
  toolCallId: string;
  toolName: string;
  input: unknown;
}

export function toToolCall(call: SdkToolCall): ToolCall {
  return { id: call.toolCallId, name: call.toolName, input: call.input };
}

export function toModelResponse(result: {
  provider: string;
  candidate: string;
  text: string;
  toolCalls: ToolCall[];
  usage: LanguageModelUsage;
  finishReason: SdkFinishReason;
}): ModelResponse {
  return {
    text: result.text,
    toolCalls: result.toolCalls,
    usage: { inputTokens: result.usage.inputTokens ?? 0, outputTokens: result.usage.outputTokens ?? 0 },
    finishReason: toFinishReason(result.finishReason),
    model: result.candidate,
    provider: result.provider,
  };
}

function toFinishReason(reason: SdkFinishReason): FinishReason {
  // `interrupted`: the stream ended cleanly but without the provider's finish marker.
  return reason === 'interrupted' ? 'other' : reason;
}

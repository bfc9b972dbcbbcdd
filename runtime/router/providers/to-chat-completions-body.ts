import type { ChatMessage, ModelRequest } from '../model-types.ts';
import type { CallSettings } from './to-call-settings.ts';

/** A Chat Completions request body; undefined fields are dropped by JSON.stringify. */
export type ChatCompletionsBody = Record<string, unknown>;

/**
 * The request body the AI SDK's OpenAI providers sent for the same call, built by hand: system
 * messages first and joined (toSdkPrompt's rule, which every candidate shares), tool calls with
 * their JSON arguments, tool results as `tool` messages, tools as JSON Schema functions.
 * `isReasoningModel` (OpenAI's o-series and gpt-5) gets what @ai-sdk/openai sends those models:
 * a `developer` message, max_completion_tokens, and no sampling settings they refuse.
 */
export function toChatCompletionsBody(options: {
  model: string;
  request: ModelRequest;
  settings: CallSettings;
  isStream: boolean;
  isReasoningModel: boolean;
}): ChatCompletionsBody {
  const { model, request, settings, isStream, isReasoningModel } = options;
  const hasTools = request.tools !== undefined && request.tools.length > 0;
  return {
    model,
    max_tokens: isReasoningModel ? undefined : settings.maxOutputTokens,
    max_completion_tokens: isReasoningModel ? settings.maxOutputTokens : undefined,
    temperature: isReasoningModel ? undefined : settings.temperature,
    top_p: isReasoningModel ? undefined : settings.topP,
    frequency_penalty: isReasoningModel ? undefined : settings.frequencyPenalty,
    presence_penalty: isReasoningModel ? undefined : settings.presencePenalty,
    // top_k is not part of Chat Completions; the SDK dropped it with a warning too.
    stop: settings.stopSequences,
    seed: settings.seed,
    messages: toChatMessages(request.messages, isReasoningModel ? 'developer' : 'system'),
    tools: hasTools
      ? request.tools?.map((tool) => ({
          type: 'function',
          function: { name: tool.name, description: tool.description, parameters: tool.inputSchema },
        }))
      : undefined,
    tool_choice: hasTools ? 'auto' : undefined,
    stream: isStream ? true : undefined,
    // Without it a stream reports no token counts, and cost limits would see zero usage.
    stream_options: isStream ? { include_usage: true } : undefined,
  };
}

function toChatMessages(messages: ChatMessage[], systemRole: 'system' | 'developer'): unknown[] {
  const instructions: string[] = [];
  const wire: unknown[] = [];
  for (const message of messages) {
    switch (message.role) {
      case 'system':
        instructions.push(message.content);
        break;
      case 'user':
        wire.push({ role: 'user', content: message.content });
        break;
      case 'assistant': {
        const toolCalls = message.toolCalls ?? [];
        // An empty assistant turn says nothing; toSdkPrompt drops it for every provider alike.
        if (message.content.length === 0 && toolCalls.length === 0) break;
        if (toolCalls.length === 0) {
          wire.push({ role: 'assistant', content: message.content });
          break;
        }
        wire.push({
          role: 'assistant',
          content: message.content.length > 0 ? message.content : null,
          tool_calls: toolCalls.map((call) => ({
            id: call.id,
            type: 'function',
            function: { name: call.name, arguments: JSON.stringify(call.input ?? {}) },
          })),
        });
        break;
      }
      case 'tool':
        wire.push({ role: 'tool', tool_call_id: message.toolCallId, content: message.content });
        break;
    }
  }
  if (instructions.length > 0) wire.unshift({ role: systemRole, content: instructions.join('\n\n') });
  return wire;
}

import type { AssistantContent, ModelMessage } from 'ai';
import type { ChatMessage } from '../model-types.ts';

export interface SdkPrompt {
  instructions: string | undefined;
  messages: ModelMessage[];
}

/**
 * Our conversation in the AI SDK's shape. System messages become the call's instructions, joined
 * in order wherever they stood: providers differ in what they do with system text mid-conversation
 * (Anthropic's API takes one system prompt up front), and a candidate must behave like the
 * fallback that replaces it.
 */
export function toSdkPrompt(messages: ChatMessage[]): SdkPrompt {
  const instructions: string[] = [];
  const sdkMessages: ModelMessage[] = [];
  for (const message of messages) {
    switch (message.role) {
      case 'system':
        instructions.push(message.content);
        break;
      case 'user':
        sdkMessages.push({ role: 'user', content: message.content });
        break;
      case 'assistant': {
        const content: Exclude<AssistantContent, string> = [];
        if (message.content.length > 0) content.push({ type: 'text', text: message.content });
        for (const call of message.toolCalls ?? []) {
          content.push({ type: 'tool-call', toolCallId: call.id, toolName: call.name, input: call.input });
        }
        // An empty assistant turn says nothing, and Anthropic rejects empty text blocks.
        if (content.length > 0) sdkMessages.push({ role: 'assistant', content });
        break;
      }
      case 'tool': {
        const result = {
          type: 'tool-result' as const,
          toolCallId: message.toolCallId,
          toolName: message.toolName,
          output: { type: 'text' as const, value: message.content },
        };
        // Results of one turn's parallel calls travel together, as every provider expects them.
        const previous = sdkMessages.at(-1);
        if (previous?.role === 'tool') previous.content.push(result);
        else sdkMessages.push({ role: 'tool', content: [result] });
        break;
      }
    }
  }
  return { instructions: instructions.length > 0 ? instructions.join('\n\n') : undefined, messages: sdkMessages };
}

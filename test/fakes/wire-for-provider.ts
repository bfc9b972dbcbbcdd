import type { ProviderName } from '../../runtime/config/agent-schema.ts';
import { anthropicMessagesWire } from './anthropic-messages-wire.ts';
import { cohereChatWire } from './cohere-chat-wire.ts';
import { ollamaChatWire } from './ollama-chat-wire.ts';
import { openAiChatWire } from './openai-chat-wire.ts';
import type { ProviderWire } from './provider-wire.ts';

/** The wire format each provider's fake speaks; openai_compat is OpenAI's Chat Completions. */
export function wireForProvider(provider: ProviderName): ProviderWire {
  switch (provider) {
    case 'openai':
    case 'openai_compat':
      return openAiChatWire('openai');
    case 'groq':
      return openAiChatWire('groq');
    case 'mistral':
      return openAiChatWire('mistral');
    case 'anthropic':
      return anthropicMessagesWire();
    case 'cohere':
      return cohereChatWire();
    case 'ollama':
      return ollamaChatWire();
  }
}

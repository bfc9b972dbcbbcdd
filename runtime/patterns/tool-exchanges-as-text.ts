import type { ChatMessage } from '../router/model-types.ts';

/**
 * The conversation with its tool calls and tool results written out as plain text, for a model
 * call that offers no tools. Anthropic refuses a request whose messages hold tool_use or
 * tool_result blocks but that defines no tools (400 invalid_request_error); text is readable by
 * every provider. Tool results become user text, so user messages that end up next to each
 * other are joined: not every provider accepts two in a row.
 */
export function toolExchangesAsText(messages: ChatMessage[]): ChatMessage[] {
  const rewritten: ChatMessage[] = [];
  const append = (message: ChatMessage) => {
    const previous = rewritten.at(-1);
    if (message.role === 'user' && previous?.role === 'user') {
      rewritten[rewritten.length - 1] = { role: 'user', content: `${previous.content}\n\n${message.content}` };
    } else {
      rewritten.push(message);
    }
  };
  for (const message of messages) {
    if (message.role === 'assistant' && message.toolCalls?.length) {
      const calls = message.toolCalls.map((call) => `[called ${call.name} with ${JSON.stringify(call.input)}]`);
      append({ role: 'assistant', content: [message.content, ...calls].filter((part) => part !== '').join('\n') });
    } else if (message.role === 'tool') {
      append({ role: 'user', content: `[result of ${message.toolName}: ${message.content}]` });
    } else {
      append(message);
    }
  }
  return rewritten;
}

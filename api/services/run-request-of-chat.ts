import { randomUUID } from 'node:crypto';
import { RunRequest } from '../../runtime/engine/run-request.ts';
import { InvalidInput } from '../errors.ts';
import type { ChatCompletionRequest } from '../schemas/chat-completion-request.ts';

/**
 * The run a chat completion asks for: its last `user` message is the query, `metadata.session_id`
 * the session (a new one, named here, when absent, so even a stream can say it in X-Session-Id
 * before the answer). Earlier messages are not replayed into memory, and system or developer
 * messages never replace the agent's own prompt: both are ignored (README).
 */
export function runRequestOfChat(chat: ChatCompletionRequest): RunRequest & { session_id: string } {
  const index = chat.messages.findLastIndex((message) => message.role === 'user');
  const message = chat.messages[index];
  if (!message) throw new InvalidInput('messages: must contain a user message (the query)', 400, 'messages');
  const field = `messages[${index}].content`;
  const content = message.content ?? '';
  const parts = typeof content === 'string' ? [{ type: 'text', text: content }] : content;
  const other = parts.findIndex((part) => part.type !== 'text');
  if (other >= 0) {
    const partField = `${field}[${other}]`;
    throw new InvalidInput(`${partField}: only text parts are supported, not ${parts[other]?.type}`, 400, partField);
  }
  const query = parts.map((part) => part.text ?? '').join('\n');
  const checked = RunRequest.shape.query.safeParse(query);
  if (!checked.success) throw new InvalidInput(`${field}: ${checked.error.issues[0]?.message}`, 400, field);
  return { query, session_id: chat.metadata?.session_id ?? `chat-${randomUUID()}` };
}

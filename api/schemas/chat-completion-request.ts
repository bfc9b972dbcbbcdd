import { z } from 'zod';
import { RunRequest } from '../../runtime/engine/run-request.ts';

// The body of POST /orgs/{slug}/v1/chat/completions: the part of OpenAI's Chat Completions request
// an agent can honour. Anything else OpenAI defines (temperature, max_tokens, tools...) is
// accepted and dropped by the schema: the agent's own configuration decides those.

const ContentPart = z.object({
  type: z
    .string()
    .max(64)
    .describe('`text` parts are read; any other part is refused in the message that is the query.'),
  text: z.string().optional(),
});

const ChatMessage = z.object({
  role: z.enum(['system', 'developer', 'user', 'assistant', 'tool', 'function']),
  content: z.union([z.string(), z.array(ContentPart).max(100)]).nullish(),
  name: z.string().max(256).optional(),
});

export const ChatCompletionRequest = z.object({
  model: z.string().min(1).max(256).describe('The name of a deployed agent of the org (GET …/v1/models lists them).'),
  messages: z
    .array(ChatMessage)
    .min(1)
    .max(1000)
    .describe(
      'The last `user` message is the query. Earlier messages are not replayed: the conversation is the session ' +
        '(metadata.session_id). System and developer messages are ignored: the agent keeps its own prompt.',
    ),
  stream: z
    .boolean()
    .nullish()
    .describe('true: answer in Server-Sent Events, chat.completion.chunk objects then [DONE].'),
  stream_options: z
    .object({ include_usage: z.boolean().nullish() })
    .nullish()
    .describe('include_usage: true adds a last chunk with `usage` and no choices, as OpenAI does.'),
  n: z.literal(1, { error: 'only 1 is supported: an agent gives one answer per request' }).nullish(),
  metadata: z
    .object({
      session_id: RunRequest.shape.session_id.describe(
        "The agent's conversation to continue (its memory); a new session when absent. The answer's X-Session-Id header names it.",
      ),
    })
    .catchall(z.string().max(512))
    .nullish(),
  user: z.string().max(256).nullish().describe('Accepted and ignored.'),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;
export type ChatMessage = z.infer<typeof ChatMessage>;

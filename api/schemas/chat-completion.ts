import { z } from 'zod';

// OpenAI's chat.completion object and its streamed chunks, as the `openai` clients read them.

const Usage = z.object({
  prompt_tokens: z.int().describe('Input tokens of every model call of the run.'),
  completion_tokens: z.int().describe('Output tokens of every model call of the run.'),
  total_tokens: z.int(),
});

export const ChatCompletion = z
  .object({
    id: z.string().describe('chatcmpl-…'),
    object: z.literal('chat.completion'),
    created: z.int().describe('Unix seconds.'),
    model: z.string().describe('The agent that answered, as the request named it.'),
    choices: z.array(
      z.object({
        index: z.int(),
        message: z.object({ role: z.literal('assistant'), content: z.string(), refusal: z.null() }),
        logprobs: z.null(),
        finish_reason: z.literal('stop'),
      }),
    ),
    usage: Usage,
  })
  .describe(
    'With `stream: true` the answer is `text/event-stream` instead: `data: <chat.completion.chunk>` events (the ' +
      'first with the role, then one per token, then an empty delta with finish_reason stop, then, with ' +
      'stream_options.include_usage, one with no choices and the usage), then `data: [DONE]`. An error after the ' +
      'first event is a `data: {"error": {…}}` event that ends the stream.',
  );
export type ChatCompletion = z.infer<typeof ChatCompletion>;

export const ChatCompletionChunk = z.object({
  id: z.string(),
  object: z.literal('chat.completion.chunk'),
  created: z.int(),
  model: z.string(),
  choices: z.array(
    z.object({
      index: z.int(),
      delta: z.object({ role: z.literal('assistant').optional(), content: z.string().optional() }),
      logprobs: z.null(),
      finish_reason: z.literal('stop').nullable(),
    }),
  ),
  /** Present (null, then the usage on the last chunk) only when the request asked for include_usage. */
  usage: Usage.nullable().optional(),
});
export type ChatCompletionChunk = z.infer<typeof ChatCompletionChunk>;

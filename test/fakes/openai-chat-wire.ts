import type { FakeAnswer } from './fake-reply.ts';
import {
  type AnswerContext,
  type ProviderWire,
  readBearerToken,
  type StreamFrame,
  splitJsonArguments,
  sseFrame,
} from './provider-wire.ts';

// OpenAI Chat Completions (https://platform.openai.com/docs/api-reference/chat), as @ai-sdk/openai
// and @ai-sdk/openai-compatible parse it. Groq and Mistral speak the same API under their own paths
// with small differences, each checked against its @ai-sdk parser:
// - Groq streams usage in `x_groq.usage` on the last chunk (no stream_options) and its error
//   object needs a `type`.
// - Mistral's response carries `object: "chat.completion"` and always a usage, streams usage on
//   the chunk with the finish reason, sends each tool call whole in one delta, and its error body
//   is flat: `{ object: "error", message, type, param, code }`.
export type OpenAiChatDialect = 'openai' | 'groq' | 'mistral';

const dialectPaths: Record<OpenAiChatDialect, { paths: string[]; basePath: string }> = {
  // The SDK posts to `${baseURL}/chat/completions`; a base URL with or without /v1 both work.
  openai: { paths: ['/v1/chat/completions', '/chat/completions'], basePath: '/v1' },
  groq: { paths: ['/openai/v1/chat/completions'], basePath: '/openai/v1' },
  mistral: { paths: ['/v1/chat/completions'], basePath: '/v1' },
};

export function openAiChatWire(dialect: OpenAiChatDialect): ProviderWire {
  return {
    ...dialectPaths[dialect],
    toolCallIdPrefix: 'call_',
    readApiKey: readBearerToken,
    isStreamRequest: (body) => body.stream === true,
    renderAnswer: (answer, context) => renderCompletion(dialect, answer, context),
    streamContentType: 'text/event-stream',
    renderStream: (answer, context) => renderChunks(dialect, answer, context),
    renderError: ({ status, message }) => renderError(dialect, status, message),
  };
}

function usageOf(answer: FakeAnswer) {
  const { inputTokens, outputTokens } = answer.usage;
  return { prompt_tokens: inputTokens, completion_tokens: outputTokens, total_tokens: inputTokens + outputTokens };
}

function renderCompletion(dialect: OpenAiChatDialect, answer: FakeAnswer, context: AnswerContext) {
  const text = answer.textDeltas.join('');
  const toolCalls = answer.toolCalls.map((call, index) => ({
    id: context.toolCallIds[index],
    type: 'function',
    function: { name: call.name, arguments: JSON.stringify(call.input) },
  }));
  return {
    id: `chatcmpl-fake-${context.requestNumber}`,
    object: 'chat.completion',
    created: 1_700_000_000 + context.requestNumber,
    model: context.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text.length > 0 || dialect === 'mistral' ? text : null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: answer.finishReason,
      },
    ],
    usage: usageOf(answer),
  };
}

function renderChunks(dialect: OpenAiChatDialect, answer: FakeAnswer, context: AnswerContext): StreamFrame[] {
  const chunk = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}, finishReason?: string) =>
    sseFrame({
      id: `chatcmpl-fake-${context.requestNumber}`,
      object: 'chat.completion.chunk',
      created: 1_700_000_000 + context.requestNumber,
      model: context.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason ?? null }],
      ...extra,
    });

  const frames: StreamFrame[] = [chunk({ role: 'assistant', content: '' })];
  for (const text of answer.textDeltas) frames.push({ ...chunk({ content: text }), isTextDelta: true });
  answer.toolCalls.forEach((call, index) => {
    const id = context.toolCallIds[index];
    const json = JSON.stringify(call.input);
    if (dialect === 'mistral') {
      frames.push(
        chunk({ tool_calls: [{ index, id, type: 'function', function: { name: call.name, arguments: json } }] }),
      );
      return;
    }
    frames.push(chunk({ tool_calls: [{ index, id, type: 'function', function: { name: call.name, arguments: '' } }] }));
    for (const piece of splitJsonArguments(json)) {
      frames.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  });

  if (dialect === 'groq') {
    frames.push(
      chunk({}, { x_groq: { id: `req_fake_${context.requestNumber}`, usage: usageOf(answer) } }, answer.finishReason),
    );
  } else if (dialect === 'mistral') {
    frames.push(chunk({ content: '' }, { usage: usageOf(answer) }, answer.finishReason));
  } else {
    frames.push(chunk({}, {}, answer.finishReason));
    const streamOptions = context.body.stream_options as { include_usage?: boolean } | undefined;
    if (streamOptions?.include_usage) {
      frames.push(
        sseFrame({
          id: `chatcmpl-fake-${context.requestNumber}`,
          object: 'chat.completion.chunk',
          created: 1_700_000_000 + context.requestNumber,
          model: context.model,
          choices: [],
          usage: usageOf(answer),
        }),
      );
    }
  }
  frames.push({ data: 'data: [DONE]\n\n' });
  return frames;
}

function renderError(dialect: OpenAiChatDialect, status: number, message: string) {
  const { type, code } = errorKindOf(status);
  if (dialect === 'mistral') return { object: 'error', message, type, param: null, code };
  return { error: { message, type, param: null, code } };
}

function errorKindOf(status: number): { type: string; code: string | null } {
  if (status === 401) return { type: 'invalid_request_error', code: 'invalid_api_key' };
  if (status === 404) return { type: 'invalid_request_error', code: 'model_not_found' };
  if (status === 429) return { type: 'requests', code: 'rate_limit_exceeded' };
  if (status >= 500) return { type: 'server_error', code: null };
  return { type: 'invalid_request_error', code: null };
}

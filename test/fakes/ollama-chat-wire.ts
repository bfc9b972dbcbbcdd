import type { FakeAnswer } from './fake-reply.ts';
import { type AnswerContext, type ProviderWire, readBearerToken, type StreamFrame } from './provider-wire.ts';

// Ollama's chat API (https://github.com/ollama/ollama/blob/main/docs/api.md#generate-a-chat-completion),
// as ollama-ai-provider-v2 parses it: one JSON object, or NDJSON lines when streaming (Ollama's
// default). Tool calls arrive whole, arguments as an object. Errors are `{ "error": "<message>" }`.
// The base URL is the Ollama host, as agent files write it (`endpoint: http://localhost:11434`).

export function ollamaChatWire(): ProviderWire {
  return {
    paths: ['/api/chat'],
    basePath: '',
    toolCallIdPrefix: 'call_',
    readApiKey: readBearerToken,
    isStreamRequest: (body) => body.stream !== false,
    renderAnswer: (answer, context) => ({
      ...lastLine(answer, context),
      message: {
        role: 'assistant',
        content: answer.textDeltas.join(''),
        ...(answer.toolCalls.length > 0 ? { tool_calls: toolCallsOf(answer, context) } : {}),
      },
    }),
    streamContentType: 'application/x-ndjson',
    renderStream,
    renderError: ({ message }) => ({ error: message }),
  };
}

const createdAt = '2025-01-01T00:00:00.000000Z';

function toolCallsOf(answer: FakeAnswer, context: AnswerContext) {
  return answer.toolCalls.map((call, index) => ({
    id: context.toolCallIds[index],
    function: { index, name: call.name, arguments: call.input },
  }));
}

/** The final object: `done: true` with the counters Ollama reports. */
function lastLine(answer: FakeAnswer, context: AnswerContext) {
  return {
    model: context.model,
    created_at: createdAt,
    message: { role: 'assistant', content: '' },
    done: true,
    // Ollama says "stop" even when the model called tools.
    done_reason: answer.finishReason === 'length' ? 'length' : 'stop',
    total_duration: 1_000_000,
    load_duration: 100_000,
    prompt_eval_count: answer.usage.inputTokens,
    prompt_eval_duration: 200_000,
    eval_count: answer.usage.outputTokens,
    eval_duration: 700_000,
  };
}

function renderStream(answer: FakeAnswer, context: AnswerContext): StreamFrame[] {
  const line = (value: unknown) => `${JSON.stringify(value)}\n`;
  const partial = (message: Record<string, unknown>) =>
    line({ model: context.model, created_at: createdAt, message: { role: 'assistant', ...message }, done: false });
  const frames: StreamFrame[] = answer.textDeltas.map((text) => ({
    data: partial({ content: text }),
    isTextDelta: true,
  }));
  if (answer.toolCalls.length > 0)
    frames.push({ data: partial({ content: '', tool_calls: toolCallsOf(answer, context) }) });
  frames.push({ data: line(lastLine(answer, context)) });
  return frames;
}

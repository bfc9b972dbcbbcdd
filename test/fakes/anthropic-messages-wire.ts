import type { FakeAnswer } from './fake-reply.ts';
import {
  type AnswerContext,
  type ProviderWire,
  type StreamFrame,
  splitJsonArguments,
  sseFrame,
} from './provider-wire.ts';

// Anthropic Messages (https://docs.anthropic.com/en/api/messages and .../messages-streaming), as
// @ai-sdk/anthropic parses it. The key travels in `x-api-key`; the SDK's base URL ends in /v1.

const stopReasons = { stop: 'end_turn', length: 'max_tokens', tool_calls: 'tool_use' } as const;

export function anthropicMessagesWire(): ProviderWire {
  return {
    paths: ['/v1/messages'],
    basePath: '/v1',
    toolCallIdPrefix: 'toolu_',
    readApiKey: (headers) => {
      const key = headers['x-api-key'];
      return typeof key === 'string' ? key : undefined;
    },
    isStreamRequest: (body) => body.stream === true,
    renderAnswer,
    streamContentType: 'text/event-stream',
    renderStream,
    renderError: ({ status, message }) => ({
      type: 'error',
      error: { type: errorTypeOf(status), message },
      request_id: 'req_fake',
    }),
  };
}

function renderAnswer(answer: FakeAnswer, context: AnswerContext) {
  const text = answer.textDeltas.join('');
  return {
    id: `msg_fake_${context.requestNumber}`,
    type: 'message',
    role: 'assistant',
    model: context.model,
    content: [
      ...(text.length > 0 ? [{ type: 'text', text }] : []),
      ...answer.toolCalls.map((call, index) => ({
        type: 'tool_use',
        id: context.toolCallIds[index],
        name: call.name,
        input: call.input,
      })),
    ],
    stop_reason: stopReasons[answer.finishReason],
    stop_sequence: null,
    usage: { input_tokens: answer.usage.inputTokens, output_tokens: answer.usage.outputTokens },
  };
}

function renderStream(answer: FakeAnswer, context: AnswerContext): StreamFrame[] {
  const event = (data: { type: string } & Record<string, unknown>) => sseFrame(data, data.type);
  const frames: StreamFrame[] = [
    event({
      type: 'message_start',
      message: {
        id: `msg_fake_${context.requestNumber}`,
        type: 'message',
        role: 'assistant',
        model: context.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: answer.usage.inputTokens, output_tokens: 1 },
      },
    }),
    event({ type: 'ping' }),
  ];
  let index = 0;
  if (answer.textDeltas.length > 0) {
    frames.push(event({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } }));
    for (const text of answer.textDeltas) {
      frames.push({
        ...event({ type: 'content_block_delta', index, delta: { type: 'text_delta', text } }),
        isTextDelta: true,
      });
    }
    frames.push(event({ type: 'content_block_stop', index }));
    index++;
  }
  answer.toolCalls.forEach((call, callIndex) => {
    const id = context.toolCallIds[callIndex];
    frames.push(
      event({
        type: 'content_block_start',
        index,
        content_block: { type: 'tool_use', id, name: call.name, input: {} },
      }),
    );
    for (const piece of splitJsonArguments(JSON.stringify(call.input))) {
      frames.push(
        event({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: piece } }),
      );
    }
    frames.push(event({ type: 'content_block_stop', index }));
    index++;
  });
  frames.push(
    event({
      type: 'message_delta',
      delta: { stop_reason: stopReasons[answer.finishReason], stop_sequence: null },
      usage: { output_tokens: answer.usage.outputTokens },
    }),
    event({ type: 'message_stop' }),
  );
  return frames;
}

function errorTypeOf(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status === 529) return 'overloaded_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

import type { FakeAnswer } from './fake-reply.ts';
import {
  type AnswerContext,
  type ProviderWire,
  readBearerToken,
  type StreamFrame,
  splitJsonArguments,
  sseFrame,
} from './provider-wire.ts';

// Cohere's v2 chat API (https://docs.cohere.com/v2/reference/chat and .../chat-stream), as
// @ai-sdk/cohere parses it. When the model calls tools, the text that comes with the calls is its
// `tool_plan`, not content, exactly as Cohere sends it (so SDK clients do not surface it).

const finishReasons = { stop: 'COMPLETE', length: 'MAX_TOKENS', tool_calls: 'TOOL_CALL' } as const;

export function cohereChatWire(): ProviderWire {
  return {
    paths: ['/v2/chat'],
    basePath: '/v2',
    toolCallIdPrefix: 'call_',
    readApiKey: readBearerToken,
    isStreamRequest: (body) => body.stream === true,
    renderAnswer,
    streamContentType: 'text/event-stream',
    renderStream,
    renderError: ({ message }) => ({ id: 'fake-error', message }),
  };
}

function usageOf(answer: FakeAnswer) {
  const tokens = { input_tokens: answer.usage.inputTokens, output_tokens: answer.usage.outputTokens };
  return { billed_units: tokens, tokens };
}

function renderAnswer(answer: FakeAnswer, context: AnswerContext) {
  const text = answer.textDeltas.join('');
  const hasToolCalls = answer.toolCalls.length > 0;
  return {
    id: `fake-${context.requestNumber}`,
    finish_reason: finishReasons[answer.finishReason],
    message: {
      role: 'assistant',
      ...(hasToolCalls
        ? {
            tool_plan: text,
            tool_calls: answer.toolCalls.map((call, index) => ({
              id: context.toolCallIds[index],
              type: 'function',
              function: { name: call.name, arguments: JSON.stringify(call.input) },
            })),
          }
        : { content: [{ type: 'text', text }] }),
    },
    usage: usageOf(answer),
  };
}

function renderStream(answer: FakeAnswer, context: AnswerContext): StreamFrame[] {
  const event = (data: { type: string } & Record<string, unknown>) => sseFrame(data, data.type);
  const hasToolCalls = answer.toolCalls.length > 0;
  const frames: StreamFrame[] = [
    event({
      type: 'message-start',
      id: `fake-${context.requestNumber}`,
      delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] } },
    }),
  ];
  if (hasToolCalls) {
    for (const text of answer.textDeltas) {
      frames.push({
        ...event({ type: 'tool-plan-delta', delta: { message: { tool_plan: text } } }),
        isTextDelta: true,
      });
    }
  } else {
    frames.push(
      event({ type: 'content-start', index: 0, delta: { message: { content: { type: 'text', text: '' } } } }),
    );
    for (const text of answer.textDeltas) {
      frames.push({
        ...event({ type: 'content-delta', index: 0, delta: { message: { content: { text } } } }),
        isTextDelta: true,
      });
    }
    frames.push(event({ type: 'content-end', index: 0 }));
  }
  answer.toolCalls.forEach((call, index) => {
    const toolCall = { id: context.toolCallIds[index], type: 'function', function: { name: call.name, arguments: '' } };
    frames.push(event({ type: 'tool-call-start', index, delta: { message: { tool_calls: toolCall } } }));
    for (const piece of splitJsonArguments(JSON.stringify(call.input))) {
      frames.push(
        event({
          type: 'tool-call-delta',
          index,
          delta: { message: { tool_calls: { function: { arguments: piece } } } },
        }),
      );
    }
    frames.push(event({ type: 'tool-call-end', index }));
  });
  frames.push(
    event({
      type: 'message-end',
      delta: { finish_reason: finishReasons[answer.finishReason], usage: usageOf(answer) },
    }),
  );
  return frames;
}

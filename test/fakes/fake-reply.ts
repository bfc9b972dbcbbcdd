// What a fake provider answers to one request. Tests script these with `fakeReply.*` and queue
// them on a fake (`fake.enqueue(...)`); each provider's wire module renders the same reply in its
// own format, so one script works against every provider.

export interface FakeUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface FakeToolCall {
  /** Provider-assigned id; the fake makes one up (`call_<request>_<index>`, `toolu_…`) when absent. */
  id?: string;
  name: string;
  input: Record<string, unknown>;
}

/** A successful answer: text (as the deltas a stream sends) and/or tool calls. */
export interface FakeAnswer {
  kind: 'answer';
  /** Joined for a JSON answer; one stream delta each for a streamed one. */
  textDeltas: string[];
  toolCalls: FakeToolCall[];
  usage: FakeUsage;
  finishReason: 'stop' | 'length' | 'tool_calls';
  /** Wait this long before answering at all (status line included). */
  delayMs: number;
  /** Streams only: wait this long before each frame after the first. */
  chunkDelayMs: number;
  /** Streams only: after this many text deltas, send nothing more and keep the connection open. */
  stallAfterDeltas?: number;
  /** Streams only: after this many text deltas, destroy the connection (a provider dying mid-answer). */
  disconnectAfterDeltas?: number;
}

/** An HTTP error with the provider's own error body. */
export interface FakeFailure {
  kind: 'failure';
  status: number;
  message: string;
  /** Wait this long before answering. */
  delayMs: number;
}

/** Never answers; the request stays open until the client goes away or the fake closes. */
export interface FakeHang {
  kind: 'hang';
}

export type FakeReply = FakeAnswer | FakeFailure | FakeHang;

export interface AnswerOptions {
  usage?: FakeUsage;
  delayMs?: number;
  chunkDelayMs?: number;
  stallAfterDeltas?: number;
  disconnectAfterDeltas?: number;
}

const defaultUsage: FakeUsage = { inputTokens: 10, outputTokens: 20 };

/**
 * Splits text into the deltas a provider would stream: one per word, each carrying the
 * whitespace before it, so joining them gives the text back unchanged.
 */
export function splitIntoWords(text: string): string[] {
  const words = text.match(/\s*\S+/g);
  if (!words) return [text];
  const trailing = text.slice(words.join('').length);
  if (trailing) words[words.length - 1] += trailing;
  return words;
}

function answer(fields: Pick<FakeAnswer, 'textDeltas' | 'toolCalls' | 'finishReason'>, options: AnswerOptions) {
  return {
    kind: 'answer',
    ...fields,
    usage: options.usage ?? defaultUsage,
    delayMs: options.delayMs ?? 0,
    chunkDelayMs: options.chunkDelayMs ?? 0,
    stallAfterDeltas: options.stallAfterDeltas,
    disconnectAfterDeltas: options.disconnectAfterDeltas,
  } satisfies FakeAnswer;
}

export const fakeReply = {
  /** Text; a string streams one word per delta, an array streams exactly those deltas. */
  text(text: string | string[], options: AnswerOptions & { finishReason?: 'stop' | 'length' } = {}): FakeAnswer {
    const textDeltas = typeof text === 'string' ? splitIntoWords(text) : text;
    return answer({ textDeltas, toolCalls: [], finishReason: options.finishReason ?? 'stop' }, options);
  },

  /** One tool call, e.g. `fakeReply.toolCall('get_weather', { city: 'Paris' })`. */
  toolCall(name: string, input: Record<string, unknown>, options: AnswerOptions & { id?: string } = {}): FakeAnswer {
    return fakeReply.toolCalls([{ id: options.id, name, input }], options);
  },

  /** Several tool calls in one answer, optionally after some text (Cohere sends that text as its tool plan). */
  toolCalls(calls: FakeToolCall[], options: AnswerOptions & { text?: string } = {}): FakeAnswer {
    const textDeltas = options.text ? splitIntoWords(options.text) : [];
    return answer({ textDeltas, toolCalls: calls, finishReason: 'tool_calls' }, options);
  },

  /** An HTTP error (401, 429, 500…) with the provider's error body. */
  failure(status: number, options: { message?: string; delayMs?: number } = {}): FakeFailure {
    return {
      kind: 'failure',
      status,
      message: options.message ?? defaultFailureMessage(status),
      delayMs: options.delayMs ?? 0,
    };
  },

  /** No answer at all, until the client gives up. */
  hang(): FakeHang {
    return { kind: 'hang' };
  },
};

function defaultFailureMessage(status: number): string {
  if (status === 401) return 'Invalid API key provided.';
  if (status === 403) return 'Permission denied.';
  if (status === 404) return 'The model does not exist.';
  if (status === 429) return 'Rate limit reached, please retry later.';
  if (status >= 500) return 'The server had an error while processing your request.';
  return 'The request was invalid.';
}

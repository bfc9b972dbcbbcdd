import type { IncomingHttpHeaders } from 'node:http';
import type { FakeAnswer, FakeFailure } from './fake-reply.ts';

/** What a wire module needs to know about the request it answers. */
export interface AnswerContext {
  /** The `model` the client asked for, echoed back as providers do. */
  model: string;
  /** 1 for the fake's first request, 2 for the next…: makes ids unique and deterministic. */
  requestNumber: number;
  /** Tool call ids, one per `answer.toolCalls` entry (scripted or made up). */
  toolCallIds: string[];
  body: Record<string, unknown>;
}

/** One write to a streamed response. */
export interface StreamFrame {
  data: string;
  /** Marks the frames that carry a text delta, so a reply can stall or disconnect after N of them. */
  isTextDelta?: boolean;
}

/** One provider's HTTP API as its real servers speak it: paths, auth, JSON and streamed answers, errors. */
export interface ProviderWire {
  /** POST paths the provider serves, e.g. `/v1/chat/completions`. */
  paths: readonly string[];
  /** Appended to the fake's URL, it gives the base URL the provider's SDK expects (`/v1` for OpenAI). */
  basePath: string;
  /** Tool call ids the fake makes up look like the provider's own (`call_…`, `toolu_…`). */
  toolCallIdPrefix: string;
  readApiKey(headers: IncomingHttpHeaders): string | undefined;
  isStreamRequest(body: Record<string, unknown>): boolean;
  renderAnswer(answer: FakeAnswer, context: AnswerContext): unknown;
  streamContentType: string;
  renderStream(answer: FakeAnswer, context: AnswerContext): StreamFrame[];
  renderError(failure: Pick<FakeFailure, 'status' | 'message'>): unknown;
}

export function readBearerToken(headers: IncomingHttpHeaders): string | undefined {
  const match = /^Bearer (.+)$/.exec(headers.authorization ?? '');
  return match?.[1];
}

/** Splits a tool call's JSON arguments into three pieces, as providers stream them. */
export function splitJsonArguments(json: string): string[] {
  const size = Math.ceil(json.length / 3);
  const pieces: string[] = [];
  for (let start = 0; start < json.length; start += size) pieces.push(json.slice(start, start + size));
  return pieces;
}

export function sseFrame(data: unknown, event?: string): StreamFrame {
  const eventLine = event ? `event: ${event}\n` : '';
  return { data: `${eventLine}data: ${JSON.stringify(data)}\n\n` };
}

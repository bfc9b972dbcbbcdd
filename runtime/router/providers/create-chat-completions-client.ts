import type { IncomingMessage } from 'node:http';
import type { CredentialsLookup } from '../../config/credentials-lookup.ts';
import type { CandidateClient, ModelChunk, ModelRequest, ModelResponse, ToolCall, Usage } from '../model-types.ts';
import { ProviderCallError } from '../model-types.ts';
import type { ResolvedModelBlock } from '../resolve-model-block.ts';
import { type ChatCompletionsProvider, chatCompletionsTarget } from './chat-completions-target.ts';
import { isOpenAiReasoningModel } from './is-openai-reasoning-model.ts';
import { ProviderHttpError } from './provider-http-error.ts';
import {
  field,
  isNonEmptyString,
  parseJson,
  parseToolInput,
  readChatCompletion,
  readUsage,
  toFinishReason,
} from './read-chat-completion.ts';
import { readSseData } from './read-sse-data.ts';
import { resolveProviderAccess } from './resolve-provider-access.ts';
import { readWholeBody, sendProviderRequest } from './send-provider-request.ts';
import { streamAttemptSignal } from './stream-attempt-signal.ts';
import { toCallSettings } from './to-call-settings.ts';
import { toChatCompletionsBody } from './to-chat-completions-body.ts';
import { toProviderCallError } from './to-provider-call-error.ts';

export interface ChatCompletionsCandidate {
  block: ResolvedModelBlock & { provider: ChatCompletionsProvider };
  credentials: CredentialsLookup;
  label: string;
}

/**
 * One candidate of a provider that speaks OpenAI's Chat Completions wire (openai, openai_compat,
 * azure_openai), called directly: the request built by hand, posted over the keep-alive pools,
 * the answer read with JSON.parse and hand-written checks. The AI SDK did the same work with a zod
 * validation of every answer and stream chunk, a fifth of a run's CPU (issue 13). Each call is
 * exactly one HTTP attempt; failures are ProviderCallErrors with the SDK path's semantics
 * (toProviderCallError), and an abort rethrows the signal's reason.
 */
export function createChatCompletionsClient(candidate: ChatCompletionsCandidate): CandidateClient {
  return {
    label: candidate.label,
    generate: (request, signal) => generate(candidate, request, signal),
    stream: (request, signal) => stream(candidate, request, signal),
  };
}

/** The attempt's URL, headers and body; throws ProviderCallError when the call cannot start. */
function prepareCall(candidate: ChatCompletionsCandidate, request: ModelRequest, isStream: boolean) {
  const { block, credentials, label } = candidate;
  const access = resolveProviderAccess({ block, credentials, candidate: label });
  const target = chatCompletionsTarget({ block, access });
  const settings = toCallSettings({ block, request, candidate: label });
  const isReasoningModel = block.provider === 'openai' && isOpenAiReasoningModel(block.model);
  const body = JSON.stringify(
    toChatCompletionsBody({ model: target.model, request, settings, isStream, isReasoningModel }),
  );
  const headers = { ...target.headers, 'content-length': String(Buffer.byteLength(body)) };
  return { url: target.url, headers, body, apiKey: access.apiKey };
}

async function generate(
  candidate: ChatCompletionsCandidate,
  request: ModelRequest,
  signal: AbortSignal,
): Promise<ModelResponse> {
  signal.throwIfAborted();
  let apiKey: string | undefined;
  try {
    const call = prepareCall(candidate, request, false);
    apiKey = call.apiKey;
    const response = await sendProviderRequest(call.url, {
      method: 'POST',
      headers: call.headers,
      body: call.body,
      signal,
    });
    const bodyText = (await readWholeBody(response, signal)).toString('utf8');
    throwIfFailed(response, bodyText, candidate.label);
    const result = readChatCompletion(bodyText);
    return { ...result, model: candidate.label, provider: candidate.block.provider };
  } catch (err) {
    // The router tells its own timeout from the caller leaving by the reason it aborted with.
    if (signal.aborted) throw signal.reason;
    throw toProviderCallError(err, { candidate: candidate.label, apiKey });
  }
}

/** A tool call as its deltas arrive: the id and name first, the JSON arguments in pieces. */
interface ToolCallDraft {
  id: string;
  name: string;
  argumentsText: string;
}

async function* stream(
  candidate: ChatCompletionsCandidate,
  request: ModelRequest,
  signal: AbortSignal,
): AsyncIterable<ModelChunk> {
  signal.throwIfAborted();
  // Our own signal, so that a consumer who stops reading early also cancels the HTTP request.
  const attempt = streamAttemptSignal(signal);
  let apiKey: string | undefined;
  let finished = false;
  try {
    const call = prepareCall(candidate, request, true);
    apiKey = call.apiKey;
    const response = await sendProviderRequest(call.url, {
      method: 'POST',
      headers: call.headers,
      body: call.body,
      signal: attempt.signal,
    });
    if ((response.statusCode ?? 0) >= 300) {
      throwIfFailed(response, (await readWholeBody(response, attempt.signal)).toString('utf8'), candidate.label);
    }
    let text = '';
    let usage: Usage = { inputTokens: 0, outputTokens: 0 };
    let finishReason: unknown;
    let hasRefusal = false;
    let isDone = false;
    const drafts: ToolCallDraft[] = [];
    // Read to the body's end even after [DONE]: leaving early would destroy the keep-alive socket.
    for await (const data of readSseData(response, attempt.signal)) {
      if (isDone) continue;
      if (data === '[DONE]') {
        isDone = true;
        continue;
      }
      const chunk = parseJson(data);
      // An error inside a stream (`data: {"error": {...}}`) fails the attempt as the SDK path did:
      // its message, no status, so not retried.
      const error = field(chunk, 'error');
      if (error !== undefined && error !== null) throw error;
      const chunkUsage = field(chunk, 'usage');
      if (typeof chunkUsage === 'object' && chunkUsage !== null) usage = readUsage(chunkUsage);
      const choice = (field(chunk, 'choices') as unknown[] | undefined)?.[0];
      const delta = field(choice, 'delta');
      const content = field(delta, 'content');
      if (isNonEmptyString(content)) {
        text += content;
        yield { type: 'text', text: content };
      }
      if (isNonEmptyString(field(delta, 'refusal'))) hasRefusal = true;
      const toolCallDeltas = field(delta, 'tool_calls');
      if (Array.isArray(toolCallDeltas)) for (const toolCallDelta of toolCallDeltas) addToDrafts(drafts, toolCallDelta);
      const reason = field(choice, 'finish_reason');
      if (reason !== undefined && reason !== null) finishReason = reason;
    }
    if (!isDone && finishReason === undefined) {
      throw new ProviderCallError({
        candidate: candidate.label,
        isRetryable: true,
        message: 'the stream ended without finishing',
      });
    }
    const toolCalls: ToolCall[] = [];
    for (const draft of drafts) {
      if (draft === undefined) continue;
      const toolCall = { id: draft.id, name: draft.name, input: parseToolInput(draft.argumentsText) };
      toolCalls.push(toolCall);
      yield { type: 'tool_call', call: toolCall };
    }
    finished = true;
    yield {
      type: 'finish',
      response: {
        text,
        toolCalls,
        usage,
        finishReason: toFinishReason(finishReason, hasRefusal),
        model: candidate.label,
        provider: candidate.block.provider,
      },
    };
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    throw toProviderCallError(err, { candidate: candidate.label, apiKey });
  } finally {
    attempt.end({ finished });
  }
}

/**
 * One tool call delta into its draft: providers send the id and name once, then the arguments in
 * pieces under the same `index` (Mistral sends each call whole; a server without `index` gets one
 * draft per id).
 */
function addToDrafts(drafts: ToolCallDraft[], toolCallDelta: unknown): void {
  const id = field(toolCallDelta, 'id');
  const fn = field(toolCallDelta, 'function');
  const name = field(fn, 'name');
  const argumentsPiece = field(fn, 'arguments');
  let index = field(toolCallDelta, 'index');
  if (typeof index !== 'number')
    index = isNonEmptyString(id) || drafts.length === 0 ? drafts.length : drafts.length - 1;
  const position = index as number;
  let draft = drafts[position];
  if (draft === undefined) {
    draft = { id: isNonEmptyString(id) ? id : `call_${position}`, name: '', argumentsText: '' };
    drafts[position] = draft;
  } else if (isNonEmptyString(id)) {
    draft.id = id;
  }
  if (isNonEmptyString(name)) draft.name = name;
  if (typeof argumentsPiece === 'string') draft.argumentsText += argumentsPiece;
}

/**
 * An error status fails the attempt with the provider's message; a redirect too, naming where it
 * points (the global fetch behind the AI SDK followed it, sending the key along).
 */
function throwIfFailed(response: IncomingMessage, bodyText: string, candidate: string): void {
  const status = response.statusCode ?? 0;
  if (status >= 300 && status < 400) {
    throw new ProviderCallError({
      candidate,
      isRetryable: false,
      status,
      message: `HTTP ${status}: the provider redirects to ${response.headers.location ?? 'another URL'}; set the endpoint to that URL`,
    });
  }
  if (status >= 400) {
    throw new ProviderHttpError({ statusCode: status, statusText: response.statusMessage, bodyText });
  }
}

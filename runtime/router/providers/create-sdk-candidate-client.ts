import { generateText, streamText } from 'ai';
import type { CredentialsLookup } from '../../config/credentials-lookup.ts';
import type { CandidateClient, ModelChunk, ModelRequest, ModelResponse, ToolCall } from '../model-types.ts';
import { ProviderCallError } from '../model-types.ts';
import type { ResolvedModelBlock } from '../resolve-model-block.ts';
import { createLanguageModel } from './create-language-model.ts';
import { resolveProviderAccess } from './resolve-provider-access.ts';
import { streamAttemptSignal } from './stream-attempt-signal.ts';
import { toCallSettings } from './to-call-settings.ts';
import { toModelResponse, toToolCall } from './to-model-response.ts';
import { toProviderCallError } from './to-provider-call-error.ts';
import { toSdkPrompt } from './to-sdk-prompt.ts';
import { toSdkTools } from './to-sdk-tools.ts';

export interface SdkCandidate {
  block: ResolvedModelBlock;
  credentials: CredentialsLookup;
  label: string;
}

/**
 * One candidate called through the Vercel AI SDK: the providers that do not speak OpenAI's Chat
 * Completions wire (anthropic, groq, mistral, cohere, ollama). Each call is exactly one HTTP
 * attempt (`maxRetries: 0`). create-candidate-client.ts imports this module on first use, so
 * an astromeshd that serves only OpenAI-wire agents never loads the SDK.
 */
export function createSdkCandidateClient(candidate: SdkCandidate): CandidateClient {
  return {
    label: candidate.label,
    generate: (request, signal) => generate(candidate, request, signal),
    stream: (request, signal) => stream(candidate, request, signal),
  };
}

/** Everything generateText and streamText share; throws ProviderCallError when the call cannot start. */
function prepareCall(candidate: SdkCandidate, request: ModelRequest) {
  const { block, credentials, label } = candidate;
  const access = resolveProviderAccess({ block, credentials, candidate: label });
  const { instructions, messages } = toSdkPrompt(request.messages);
  const options = {
    model: createLanguageModel({ ...block, ...access }),
    instructions,
    messages,
    tools: toSdkTools(request.tools),
    ...toCallSettings({ block, request, candidate: label }),
    // One attempt: retries, backoff and fallback belong to the router.
    maxRetries: 0,
  };
  return { options, apiKey: access.apiKey };
}

async function generate(candidate: SdkCandidate, request: ModelRequest, signal: AbortSignal): Promise<ModelResponse> {
  signal.throwIfAborted();
  let apiKey: string | undefined;
  try {
    const call = prepareCall(candidate, request);
    apiKey = call.apiKey;
    const result = await generateText({ ...call.options, abortSignal: signal });
    return toModelResponse({
      provider: candidate.block.provider,
      candidate: candidate.label,
      text: result.text,
      toolCalls: result.toolCalls.map(toToolCall),
      usage: result.usage,
      finishReason: result.finishReason,
    });
  } catch (err) {
    // The router tells its own timeout from the caller leaving by the reason it aborted with.
    if (signal.aborted) throw signal.reason;
    throw toProviderCallError(err, { candidate: candidate.label, apiKey });
  }
}

async function* stream(candidate: SdkCandidate, request: ModelRequest, signal: AbortSignal): AsyncIterable<ModelChunk> {
  signal.throwIfAborted();
  // Our own signal, so that a consumer who stops reading early also cancels the HTTP request.
  const attempt = streamAttemptSignal(signal);
  let apiKey: string | undefined;
  let finished = false;
  try {
    const call = prepareCall(candidate, request);
    apiKey = call.apiKey;
    const result = streamText({
      ...call.options,
      abortSignal: attempt.signal,
      // Failures arrive as `error` parts below; the default handler would print them to stderr.
      onError: () => {},
    });
    let text = '';
    const toolCalls: ToolCall[] = [];
    for await (const part of result.fullStream) {
      if (part.type === 'text-delta' && part.text.length > 0) {
        text += part.text;
        yield { type: 'text', text: part.text };
      } else if (part.type === 'tool-call') {
        const call = toToolCall(part);
        toolCalls.push(call);
        yield { type: 'tool_call', call };
      } else if (part.type === 'error') {
        throw part.error;
      } else if (part.type === 'abort') {
        throw signal.reason;
      } else if (part.type === 'finish') {
        const response = toModelResponse({
          provider: candidate.block.provider,
          candidate: candidate.label,
          text,
          toolCalls,
          usage: part.totalUsage,
          finishReason: part.finishReason,
        });
        finished = true;
        yield { type: 'finish', response };
        return;
      }
    }
    throw new ProviderCallError({
      candidate: candidate.label,
      isRetryable: true,
      message: 'the stream ended without finishing',
    });
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    throw toProviderCallError(err, { candidate: candidate.label, apiKey });
  } finally {
    attempt.end({ finished });
  }
}

import type { APICallError } from 'ai';
import { ProviderCallError } from '../model-types.ts';
import { errorMessageInBody } from './provider-http-error.ts';

// APICallError.isInstance's own test (a symbol marker, so it works across package copies),
// written out so that this module loads without the AI SDK: the direct Chat Completions client
// maps its errors here too, and an astromeshd serving only OpenAI-wire agents never loads `ai`.
const apiCallErrorMarker = Symbol.for('vercel.ai.error.AI_APICallError');

function isApiCallError(error: unknown): error is APICallError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[apiCallErrorMarker] === true;
}

// Connection failures that trying again can cure (the SDK's own list, plus undici's "terminated"
// for a response cut off mid-body).
const retryableNetworkCodes = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_SOCKET',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * Any failure of one attempt as a ProviderCallError: retryable for 408, 429, 5xx and connection
 * failures (a response cut off mid-stream included); not for other 4xx (bad key, unknown model)
 * or a response we cannot read. The key is scrubbed from the message in case a provider echoes it.
 */
export function toProviderCallError(
  error: unknown,
  context: { candidate: string; apiKey: string | undefined },
): ProviderCallError {
  if (error instanceof ProviderCallError) return error;
  const status = errorStatusOf(error);
  const isRetryable = status !== undefined ? isRetryableStatus(status) : isRetryableWithoutStatus(error);
  const detail = status !== undefined ? `HTTP ${status}: ${messageOf(error)}` : withRootCause(messageOf(error), error);
  return new ProviderCallError({
    candidate: context.candidate,
    status,
    isRetryable,
    message: context.apiKey ? redactKey(detail, context.apiKey) : detail,
    // An APICallError carries the whole request body (the conversation) and the response; a logged
    // cause must spill neither, so only what lies beneath it (a socket error) is kept.
    cause: isApiCallError(error) ? error.cause : error,
  });
}

/** The provider's error status; a 2xx whose body broke off midway is a connection failure, not an HTTP error. */
function errorStatusOf(error: unknown): number | undefined {
  // Errors inside a stream (OpenAI, Anthropic, Groq) are plain objects with the status they imply.
  const status = isApiCallError(error) ? error.statusCode : fieldOf(error, 'statusCode');
  return typeof status === 'number' && status >= 400 ? status : undefined;
}

function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

function isRetryableWithoutStatus(error: unknown): boolean {
  for (const current of causeChainOf(error)) {
    const code = fieldOf(current, 'code');
    if (typeof code === 'string' && retryableNetworkCodes.has(code)) return true;
    if (current instanceof TypeError && (current.message === 'terminated' || current.message === 'fetch failed')) {
      return true;
    }
  }
  return fieldOf(error, 'isRetryable') === true;
}

function causeChainOf(error: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let current = error; current !== undefined && current !== null && !chain.includes(current); ) {
    chain.push(current);
    current = current instanceof Error ? current.cause : undefined;
  }
  return chain;
}

function withRootCause(message: string, error: unknown): string {
  const root = causeChainOf(error).at(-1);
  const rootMessage = root === error ? undefined : fieldOf(root, 'message');
  return typeof rootMessage === 'string' && !message.includes(rootMessage) ? `${message} (${rootMessage})` : message;
}

function messageOf(error: unknown): string {
  if (typeof error === 'string') return error;
  // Ollama answers `{ "error": "<message>" }`, which its SDK does not parse: read it ourselves
  // rather than report only the status text.
  if (isApiCallError(error) && error.data === undefined) {
    const fromBody = errorMessageInBody(error.responseBody);
    if (fromBody) return fromBody;
  }
  const message = fieldOf(error, 'message');
  return typeof message === 'string' && message.length > 0 ? message : 'the provider call failed';
}

/** Replaces the key where it stands as a token of its own, so a short key cannot mangle ordinary words. */
function redactKey(message: string, apiKey: string): string {
  const escaped = apiKey.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return message.replace(new RegExp(`(?<![\\w-])${escaped}(?![\\w-])`, 'g'), '[redacted]');
}

function fieldOf(value: unknown, field: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[field] : undefined;
}

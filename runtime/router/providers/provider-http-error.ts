/**
 * A provider's answer with an error status, as the direct Chat Completions client reports it to
 * toProviderCallError: `statusCode` decides whether a retry can help, exactly as it does for the AI
 * SDK's APICallError, and the message is the provider's own. The body is not kept: it may echo the
 * request (the conversation), which a logged cause must not spill.
 */
export class ProviderHttpError extends Error {
  override name = 'ProviderHttpError';
  readonly statusCode: number;

  constructor(options: { statusCode: number; statusText: string | undefined; bodyText: string }) {
    super(
      errorMessageInBody(options.bodyText) ??
        plainTextOf(options.bodyText) ??
        (options.statusText || 'the provider call failed'),
    );
    this.statusCode = options.statusCode;
  }
}

/**
 * The message in a provider's error body: OpenAI's `{ error: { message } }`, Ollama's
 * `{ error: "<message>" }`, or a flat `{ message }` (Mistral).
 */
export function errorMessageInBody(body: string | undefined): string | undefined {
  try {
    const parsed: unknown = JSON.parse(body ?? '');
    const error = fieldOf(parsed, 'error');
    const candidates = [error, fieldOf(error, 'message'), fieldOf(parsed, 'message')];
    return candidates.find((value): value is string => typeof value === 'string' && value.length > 0);
  } catch {
    return undefined;
  }
}

/** A short plain-text body (a gateway's "Bad Gateway"), not an HTML page. */
function plainTextOf(body: string): string | undefined {
  const text = body.trim();
  if (text.length === 0 || text.length > 300 || text.startsWith('<') || text.startsWith('{')) return undefined;
  return text;
}

function fieldOf(value: unknown, field: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[field] : undefined;
}

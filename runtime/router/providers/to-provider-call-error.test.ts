import { APICallError } from 'ai';
import { describe, expect, it } from 'vitest';
import { ProviderCallError } from '../model-types.ts';
import { toProviderCallError } from './to-provider-call-error.ts';

function anHttpFailure(options: { status: number; message?: string; responseBody?: string }) {
  return new APICallError({
    message: options.message ?? 'Bad Request',
    url: 'https://api.example.test/v1/chat/completions',
    requestBodyValues: { messages: [{ role: 'user', content: 'private conversation' }] },
    statusCode: options.status,
    responseBody: options.responseBody,
  });
}

const context = { candidate: 'openai/gpt-4o-mini', apiKey: undefined };

describe('toProviderCallError', () => {
  it.each([408, 429, 500, 502, 529])('makes HTTP %i retryable', (status) => {
    const error = toProviderCallError(anHttpFailure({ status }), context);

    expect(error).toMatchObject({ candidate: 'openai/gpt-4o-mini', status, isRetryable: true });
  });

  it.each([400, 401, 403, 404, 422])('makes HTTP %i final', (status) => {
    const error = toProviderCallError(anHttpFailure({ status }), context);

    expect(error).toMatchObject({ status, isRetryable: false });
  });

  it('makes a connection failure retryable, with no status', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });

    const error = toProviderCallError(new TypeError('fetch failed', { cause: refused }), context);

    expect(error).toMatchObject({ status: undefined, isRetryable: true });
  });

  it('treats a successful response cut off midway as a retryable connection failure, not as HTTP 200', () => {
    const cutOff = new APICallError({
      message: 'Failed to process successful response',
      url: 'https://api.example.test/v1/chat/completions',
      requestBodyValues: {},
      statusCode: 200,
      cause: new TypeError('terminated', {
        cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
      }),
    });

    const error = toProviderCallError(cutOff, context);

    expect(error).toMatchObject({ status: undefined, isRetryable: true });
    expect(error.message).toBe('Failed to process successful response (other side closed)');
  });

  it('takes status and retryability from an error reported inside a stream', () => {
    const streamError = { message: 'Overloaded', type: 'overloaded_error', statusCode: 529, isRetryable: true };

    const error = toProviderCallError(streamError, context);

    expect(error).toMatchObject({ status: 529, isRetryable: true, message: 'HTTP 529: Overloaded' });
  });

  it('makes a response it cannot understand final', () => {
    const error = toProviderCallError(new Error('Type validation failed'), context);

    expect(error).toMatchObject({ status: undefined, isRetryable: false });
  });

  it("reads Ollama's error body, which its SDK leaves unparsed", () => {
    const failure = anHttpFailure({
      status: 404,
      message: 'Not Found',
      responseBody: '{"error":"model \'llama9\' not found"}',
    });

    const error = toProviderCallError(failure, context);

    expect(error.message).toBe("HTTP 404: model 'llama9' not found");
  });

  it('keeps neither the request body nor the response in the cause', () => {
    const error = toProviderCallError(anHttpFailure({ status: 400 }), context);

    expect(error.cause).toBeUndefined();
  });

  it('redacts the key wherever the provider echoes it', () => {
    const failure = anHttpFailure({ status: 401, message: 'Incorrect API key provided: sk-live-12345. Check it.' });

    const error = toProviderCallError(failure, { ...context, apiKey: 'sk-live-12345' });

    expect(error.message).toBe('HTTP 401: Incorrect API key provided: [redacted]. Check it.');
  });

  it('leaves words that merely contain a short key alone', () => {
    const error = toProviderCallError(anHttpFailure({ status: 401, message: 'Invalid key k' }), {
      ...context,
      apiKey: 'k',
    });

    expect(error.message).toBe('HTTP 401: Invalid key [redacted]');
  });

  it('passes a ProviderCallError through unchanged', () => {
    const original = new ProviderCallError({
      candidate: 'x/y',
      isRetryable: false,
      message: 'credential X is not set',
    });

    expect(toProviderCallError(original, context)).toBe(original);
  });
});

import { z } from 'zod';
import type { GuardedResponse } from '../guarded-fetch.ts';

/** Request headers as a model writes them: names to string values. */
export const HttpHeaders = z.record(z.string().min(1).max(256), z.string().max(8192));

/**
 * Encodes a model-supplied body: strings go as they are, any other value as JSON with a JSON
 * content type unless the caller chose one.
 */
export function bodyOf(
  body: unknown,
  headers: Record<string, string>,
): { headers: Record<string, string>; body: string | undefined } {
  if (body === undefined) return { headers, body: undefined };
  if (typeof body === 'string') return { headers, body };
  const hasContentType = Object.keys(headers).some((name) => name.toLowerCase() === 'content-type');
  return {
    headers: hasContentType ? headers : { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}

/** A response body for the model: parsed when the server says it is JSON, the text otherwise. */
export function readableBodyOf(response: GuardedResponse): unknown {
  const isJson = /\bjson\b/i.test(response.headers['content-type'] ?? '');
  const parsed = isJson ? response.json() : undefined;
  return parsed === undefined ? response.text() : parsed;
}

import { AppError } from '../errors.ts';
import type { ErrorBody } from '../schemas/error-body.ts';
import type { OpenAiErrorBody } from '../schemas/openai-error-body.ts';
import type { ErrorReshape } from './error-envelope.ts';

/** The org-scoped base URL of the OpenAI-compatible routes, relative to /api/v1. */
export const openAiBasePath = '/orgs/{slug}/v1';

// OpenAI's codes where the `openai` clients and tools know them; any other keeps our envelope's code.
const openAiCodes: Readonly<Record<string, string>> = { daily_limit_reached: 'rate_limit_exceeded' };

/**
 * Everything under an org's OpenAI base URL (`/api/v1/orgs/{slug}/v1/…`, unknown paths and wrong
 * methods included) answers errors in OpenAI's shape: a client given that base URL is an OpenAI
 * client, and reads `{ error: { message, type, param, code } }`. Status and headers stay the envelope's.
 */
export function openAiErrorShape(apiPrefix: string): ErrorReshape {
  const base = openAiBasePath.replace('{slug}', '[^/]+');
  return { pathPattern: new RegExp(`^${apiPrefix}${base}(/|$)`), reshape: toOpenAiErrorBody };
}

export function toOpenAiErrorBody(body: ErrorBody, err?: unknown): OpenAiErrorBody {
  // A 500's message already quotes its request id; X-Request-Id carries it too.
  return {
    error: {
      message: body.message,
      type: typeOf(body.status),
      param: fieldOf(err) ?? null,
      code: openAiCodes[body.error] ?? body.error,
    },
  };
}

function typeOf(status: number): OpenAiErrorBody['error']['type'] {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 429) return 'rate_limit_error';
  return status >= 500 ? 'server_error' : 'invalid_request_error';
}

/** The field an error names (InvalidInput, model_not_found), when it names one. */
function fieldOf(err: unknown): string | undefined {
  const field = err instanceof AppError ? (err as AppError & { field?: unknown }).field : undefined;
  return typeof field === 'string' ? field : undefined;
}

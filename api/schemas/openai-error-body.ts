import { z } from 'zod';

/**
 * Every non-2xx body under an org's OpenAI-compatible base URL (`/orgs/{slug}/v1`): OpenAI's own
 * error shape, so the `openai` clients raise their typed errors (NotFoundError, RateLimitError...)
 * with our message.
 */
export const OpenAiErrorBody = z
  .object({
    error: z.object({
      message: z.string().describe('What went wrong, naming the field for bad input.'),
      type: z
        .enum(['invalid_request_error', 'authentication_error', 'permission_error', 'rate_limit_error', 'server_error'])
        .describe(
          'From the HTTP status: 401 authentication_error, 403 permission_error, 429 rate_limit_error, 5xx server_error, any other invalid_request_error.',
        ),
      param: z.string().nullable().describe('The request field at fault (`model`, `messages[0].content`), or null.'),
      code: z
        .string()
        .nullable()
        .describe(
          'Machine-readable: model_not_found (404, an agent that does not exist or is not deployed), rate_limit_exceeded (429, the daily run limit), otherwise the code of the Cloud API envelope (invalid_request, unauthorized, forbidden...).',
        ),
    }),
  })
  .describe("OpenAI's error shape");
export type OpenAiErrorBody = z.infer<typeof OpenAiErrorBody>;

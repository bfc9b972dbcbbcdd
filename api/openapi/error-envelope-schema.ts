import { z } from 'zod';
import type { ErrorBody } from '../http/error-envelope.ts';

/** Every non-2xx body of the API (DESIGN.md decision 7), as OpenAPI documents it. */
export const ErrorEnvelope = z
  .object({
    error: z.string().describe('Machine-readable code, e.g. not_found, validation_failed, internal_error.'),
    message: z.string().describe('What went wrong, naming the field for bad input.'),
    status: z.int().describe('The HTTP status, repeated.'),
    request_id: z.string().optional().describe('On a 500: quote it when reporting the error.'),
  })
  .describe('The error envelope');

// The envelope's type lives in error-envelope.ts; this fails to compile if the two drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const envelopeMatchesErrorBody: Same<z.infer<typeof ErrorEnvelope>, ErrorBody> = true;

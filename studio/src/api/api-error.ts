import type { ErrorBody } from '../../../api/schemas/error-body.ts';

/** A non-2xx answer of the API, from its envelope `{ error, message, status }`. */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly code: string;
  readonly status: number;
  /** The field a validation error names (`step1.model`), when it names one. */
  readonly field: string | undefined;

  constructor(body: ErrorBody) {
    super(body.message);
    this.code = body.error;
    this.status = body.status;
    this.field = isValidationError(body) ? fieldNamedBy(body.message) : undefined;
  }
}

const isValidationError = (body: ErrorBody) => body.status === 400 || body.status === 422;

// The API words every validation error as `<field>: <what is wrong>` (api/http/api-route.ts).
function fieldNamedBy(message: string): string | undefined {
  return /^([A-Za-z_][\w.[\]]*): /.exec(message)?.[1];
}

/** The envelope of a failed response, or one made up when the body is not the API's (a proxy's page). */
export async function errorBodyOf(response: Response): Promise<ErrorBody> {
  const body: unknown = await response.json().catch(() => undefined);
  if (body && typeof body === 'object' && 'error' in body && 'message' in body) return body as ErrorBody;
  return {
    error: 'unexpected_response',
    message: `the server answered ${response.status} ${response.statusText || ''}`.trim(),
    status: response.status,
  };
}

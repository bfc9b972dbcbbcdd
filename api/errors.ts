// Errors the Cloud API answers with. Services throw these; one middleware writes every one of them
// as `{ error, message, status }` (DESIGN.md decision 7). Anything else is an opaque 500.

export class AppError extends Error {
  override name = 'AppError';
  readonly code: string;
  readonly status: number;
  /** Extra response headers, e.g. Retry-After on a 429. */
  readonly headers: Record<string, string>;

  constructor(
    code: string,
    status: number,
    message: string,
    options: { headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = code;
    this.status = status;
    this.headers = options.headers ?? {};
  }
}

export class InvalidInput extends AppError {
  /** The field at fault (`messages[0].content`), when one is: OpenAI-shaped errors name it as `param`. */
  readonly field: string | undefined;

  constructor(message: string, status: 400 | 422 = 400, field?: string) {
    super(status === 400 ? 'invalid_request' : 'validation_failed', status, message);
    this.field = field;
  }
}

export class Unauthenticated extends AppError {
  constructor(message = 'a valid bearer token or X-API-Key is required') {
    super('unauthorized', 401, message);
  }
}

export class Forbidden extends AppError {
  constructor(message: string) {
    super('forbidden', 403, message);
  }
}

export class NotFound extends AppError {
  constructor(what: string) {
    super('not_found', 404, `${what} not found`);
  }
}

export class Conflict extends AppError {
  constructor(code: string, message: string) {
    super(code, 409, message);
  }
}

export class NotImplemented extends AppError {
  constructor(message: string) {
    super('not_implemented', 501, message);
  }
}

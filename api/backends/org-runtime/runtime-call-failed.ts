import { AppError } from '../../errors.ts';

/**
 * A run the org's runtime did not answer, as the Cloud API reports it. `mayHaveReachedModel`
 * says whether a model may have done (and billed) work for it: false when the runtime was
 * unreachable, refused the request, or every provider failed.
 */
export class RuntimeCallFailed extends AppError {
  readonly mayHaveReachedModel: boolean;

  constructor(input: { code: string; status: number; message: string; mayHaveReachedModel: boolean; cause?: unknown }) {
    super(input.code, input.status, input.message, { cause: input.cause });
    this.mayHaveReachedModel = input.mayHaveReachedModel;
  }
}

/** The caller went away; the runtime call was cancelled with it. Nobody reads this answer. */
export class RunCancelled extends AppError {
  /** False when the caller left before the query was sent to the runtime. */
  readonly wasSent: boolean;

  constructor(input: { wasSent: boolean }) {
    super('client_closed_request', 499, 'the client closed the connection before the run finished');
    this.wasSent = input.wasSent;
  }
}

export function runtimeUnreachable(cause: unknown): RuntimeCallFailed {
  return new RuntimeCallFailed({
    code: 'runtime_unavailable',
    status: 502,
    message: `the org's runtime could not be reached (${(cause as Error)?.message ?? 'unknown error'}); try again shortly`,
    mayHaveReachedModel: false,
    cause,
  });
}

/**
 * Maps the runtime's error envelope (seed 002: 400, 404, 408, 503) onto the Cloud API's. The
 * user's own problems (400, 408, 503 with the runtime's message, which names each provider's
 * failure) keep their code; the runtime's internal ones become 502s that hide nothing useful.
 */
export function runtimeFailure(answer: { status: number; body: unknown }): RuntimeCallFailed {
  const body = (typeof answer.body === 'object' && answer.body !== null ? answer.body : {}) as {
    error?: unknown;
    message?: unknown;
  };
  const code = typeof body.error === 'string' ? body.error : undefined;
  const message = typeof body.message === 'string' ? body.message : `the runtime answered ${answer.status}`;
  const failed = (status: number, fields: { code: string; message?: string; mayHaveReachedModel: boolean }) =>
    new RuntimeCallFailed({ status, message, ...fields });

  switch (answer.status) {
    // Invalid input or an input guardrail: refused before any model call.
    case 400:
      return failed(400, { code: code ?? 'invalid_request', mayHaveReachedModel: false });
    // The database says deployed, but the runtime has not loaded the agent (yet): it is reloading.
    case 404:
      return failed(503, {
        code: 'agent_unavailable',
        message: "the org's runtime does not serve this agent at the moment; try again shortly",
        mayHaveReachedModel: false,
      });
    // orchestration_timeout: the models worked until the deadline.
    case 408:
      return failed(408, { code: code ?? 'orchestration_timeout', mayHaveReachedModel: true });
    // providers_unavailable (every candidate failed), agent_unavailable, shutting_down.
    case 503:
      return failed(503, { code: code ?? 'runtime_unavailable', mayHaveReachedModel: false });
    // The runtime refused the API's own token: a deployment problem, not the caller's.
    case 401:
    case 403:
      return failed(502, {
        code: 'runtime_unavailable',
        message: "the org's runtime refused the Cloud API's credentials; try again shortly",
        mayHaveReachedModel: false,
      });
    default:
      return failed(502, {
        code: 'runtime_error',
        message: `the org's runtime failed (${answer.status}${code ? ` ${code}` : ''})`,
        mayHaveReachedModel: true,
      });
  }
}

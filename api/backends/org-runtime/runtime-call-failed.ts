import { AppError } from '../../errors.ts';

/**
 * A run the org's runtime did not answer, as the Cloud API reports it. `mayHaveReachedModel`
 * says whether a model may have done (and billed) work for it: false when the query never reached
 * the runtime (no runtime, connection refused), the runtime refused it, or every provider failed;
 * true once the query was sent, even if the runtime then died.
 */
export class RuntimeCallFailed extends AppError {
  readonly mayHaveReachedModel: boolean;
  /**
   * No runtime took the query in, for a reason that passes on its own: no ready endpoint yet, a
   * refused connection or an unresolved name (a Service whose routes lag a new pod), a runtime
   * still loading the agent or shutting down. The same call may be sent again.
   */
  readonly mayRetry: boolean;

  constructor(input: {
    code: string;
    status: number;
    message: string;
    mayHaveReachedModel: boolean;
    mayRetry?: boolean;
    cause?: unknown;
  }) {
    super(input.code, input.status, input.message, { cause: input.cause });
    this.mayHaveReachedModel = input.mayHaveReachedModel;
    this.mayRetry = input.mayRetry ?? false;
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

/**
 * The org has no runtime to call (nothing deployed yet, or it is starting): the query went
 * nowhere, so no model worked on it.
 */
export function runtimeNotReady(orgSlug: string): RuntimeCallFailed {
  return new RuntimeCallFailed({
    code: 'runtime_unavailable',
    status: 502,
    message: `the org's runtime could not be reached (no ready runtime endpoint for org ${orgSlug}); try again shortly`,
    mayHaveReachedModel: false,
    mayRetry: true,
  });
}

/**
 * The runtime call failed in transport (refused, cut, timed out...). A call that never connected
 * cannot have reached a model; any other may have (the query may have been sent before the runtime
 * died), unless the caller knows it was not sent (`wasSent: false`). The caller hears only a safe
 * description of known failures: the cause's own message may say anything (a stack overflow in our
 * code, an address), so it stays in the cause, which the log shows.
 */
export function runtimeUnreachable(cause: unknown, options: { wasSent?: boolean } = {}): RuntimeCallFailed {
  const failure = transportFailureOf(cause);
  const mayHaveReachedModel = !failure.beforeConnecting && (options.wasSent ?? true);
  return new RuntimeCallFailed({
    code: 'runtime_unavailable',
    status: 502,
    message: mayHaveReachedModel
      ? `${failure.description} after the query was sent to it; a model may have worked on it`
      : `${failure.description}; try again shortly`,
    mayHaveReachedModel,
    // A known transport failure before the query left: a cause of our own is not retried.
    mayRetry: !mayHaveReachedModel && failure !== unknownFailure,
    cause,
  });
}

/** A stream the runtime ended without a `done` or `error` event: its process went away mid-run. */
export class RuntimeStreamClosed extends Error {
  override name = 'RuntimeStreamClosed';
  readonly code = 'RUNTIME_STREAM_CLOSED';

  constructor(closeCode: number) {
    super(`the runtime closed the stream (code ${closeCode})`);
  }
}

interface TransportFailure {
  description: string;
  /** Nothing was sent: the connection itself failed. */
  beforeConnecting: boolean;
}

// Transport error codes (Node's net/dns, undici, our own) and how the caller hears of them.
const knownTransportFailures: Record<string, TransportFailure> = {
  ECONNREFUSED: { description: "the org's runtime refused the connection", beforeConnecting: true },
  ENOTFOUND: { description: "the org's runtime address did not resolve", beforeConnecting: true },
  EAI_AGAIN: { description: "the org's runtime address did not resolve", beforeConnecting: true },
  EHOSTUNREACH: { description: "the org's runtime is unreachable on the network", beforeConnecting: true },
  ENETUNREACH: { description: "the org's runtime is unreachable on the network", beforeConnecting: true },
  EHOSTDOWN: { description: "the org's runtime is unreachable on the network", beforeConnecting: true },
  ENETDOWN: { description: "the org's runtime is unreachable on the network", beforeConnecting: true },
  UND_ERR_CONNECT_TIMEOUT: {
    description: "the org's runtime did not accept a connection in time",
    beforeConnecting: true,
  },
  ECONNRESET: { description: "the connection to the org's runtime was cut", beforeConnecting: false },
  EPIPE: { description: "the connection to the org's runtime was cut", beforeConnecting: false },
  UND_ERR_SOCKET: { description: "the connection to the org's runtime was cut", beforeConnecting: false },
  UND_ERR_CLOSED: { description: "the connection to the org's runtime was cut", beforeConnecting: false },
  RUNTIME_STREAM_CLOSED: {
    description: "the org's runtime closed the stream before the run finished",
    beforeConnecting: false,
  },
  ETIMEDOUT: { description: "the org's runtime did not answer in time", beforeConnecting: false },
  UND_ERR_HEADERS_TIMEOUT: { description: "the org's runtime did not answer in time", beforeConnecting: false },
  UND_ERR_BODY_TIMEOUT: { description: "the org's runtime did not answer in time", beforeConnecting: false },
};
const unknownFailure: TransportFailure = {
  description: "the org's runtime could not be reached",
  beforeConnecting: false,
};

/** The first known code on the error, its cause chain, or an AggregateError's errors (Happy Eyeballs). */
function transportFailureOf(err: unknown, depth = 0): TransportFailure {
  if (typeof err !== 'object' || err === null || depth > 5) return unknownFailure;
  const { code, cause, errors } = err as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string' && Object.hasOwn(knownTransportFailures, code))
    return knownTransportFailures[code] as TransportFailure;
  const nested = [cause, ...(Array.isArray(errors) ? errors : [])].map((inner) => transportFailureOf(inner, depth + 1));
  return nested.find((failure) => failure !== unknownFailure) ?? unknownFailure;
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
  const failed = (
    status: number,
    fields: { code: string; message?: string; mayHaveReachedModel: boolean; mayRetry?: boolean },
  ) => new RuntimeCallFailed({ status, message, ...fields });

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
        mayRetry: true,
      });
    // orchestration_timeout: the models worked until the deadline.
    case 408:
      return failed(408, { code: code ?? 'orchestration_timeout', mayHaveReachedModel: true });
    // providers_unavailable (every candidate failed), agent_unavailable, shutting_down. Only a
    // runtime on its way out refused before any provider was tried: another one may take the call.
    case 503:
      return failed(503, {
        code: code ?? 'runtime_unavailable',
        mayHaveReachedModel: false,
        mayRetry: code === 'shutting_down',
      });
    // The runtime refused the API's own token: a deployment problem, not the caller's.
    case 401:
    case 403:
      return failed(502, {
        code: 'runtime_unavailable',
        message: "the org's runtime refused the Cloud API's credentials; try again shortly",
        mayHaveReachedModel: false,
        mayRetry: true,
      });
    default:
      return failed(502, {
        code: 'runtime_error',
        message: `the org's runtime failed (${answer.status}${code ? ` ${code}` : ''})`,
        mayHaveReachedModel: true,
      });
  }
}

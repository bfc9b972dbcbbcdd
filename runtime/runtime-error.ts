// Errors the runtime answers with. Each carries its HTTP status and a stable code; the server
// writes every one of them as `{ error, message, status, details? }` (seed 002 lists 400, 404,
// 408 and 503). Anything that is not a RuntimeError becomes an opaque 500.

export class RuntimeError extends Error {
  override name = 'RuntimeError';
  readonly code: string;
  readonly status: number;
  readonly details: unknown;

  constructor(code: string, status: number, message: string, options: { details?: unknown; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.status = status;
    this.details = options.details;
  }
}

export class InvalidRequest extends RuntimeError {
  constructor(message: string) {
    super('invalid_request', 400, message);
  }
}

export class AgentNotFound extends RuntimeError {
  constructor(agent: string) {
    super('agent_not_found', 404, `agent '${agent}' is not loaded`);
  }
}

/** An agent file exists but its current version is broken and there is no good one to fall back to. */
export class AgentUnavailable extends RuntimeError {
  constructor(agent: string, reason: string) {
    super('agent_unavailable', 503, `agent '${agent}' has no valid configuration: ${reason}`);
  }
}

export class GuardrailBlocked extends RuntimeError {
  readonly rule: string;

  constructor(rule: string, message: string) {
    super('guardrail_blocked', 400, message, { details: { rule } });
    this.rule = rule;
  }
}

export class OrchestrationTimeout extends RuntimeError {
  constructor(timeoutSeconds: number) {
    super('orchestration_timeout', 408, `the run did not finish within timeout_seconds (${timeoutSeconds} s)`);
  }
}

export interface CandidateFailure {
  candidate: string;
  error: string;
  status?: number;
}

export class ProvidersUnavailable extends RuntimeError {
  readonly failures: CandidateFailure[];

  constructor(failures: CandidateFailure[]) {
    const summary = failures.map((f) => `${f.candidate}: ${f.error}`).join('; ');
    super('providers_unavailable', 503, `every model candidate failed (${summary})`, {
      details: { candidates: failures },
    });
    this.failures = failures;
  }
}

/** The runtime is stopping and cancelled this run at its shutdown deadline. */
export class ShuttingDown extends RuntimeError {
  constructor() {
    super('shutting_down', 503, 'the runtime is shutting down; retry on another replica');
  }
}

/** The caller went away; nobody reads the answer, so this is not a server error. */
export class ClientGone extends RuntimeError {
  constructor() {
    super('client_closed_request', 499, 'the client closed the connection before the run finished');
  }
}

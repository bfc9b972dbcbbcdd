import { describe, expect, it } from 'vitest';
import { RuntimeStreamClosed, runtimeFailure, runtimeNotReady, runtimeUnreachable } from './runtime-call-failed.ts';

const envelope = (error: string, status: number, message = `${error} happened`) => ({ error, message, status });

describe('runtimeFailure', () => {
  it('keeps the runtime code, status and message when every provider failed, and says no model worked', () => {
    const body = envelope('providers_unavailable', 503, 'every model candidate failed (openai/gpt-4o-mini: 401)');

    const failure = runtimeFailure({ status: 503, body });

    expect(failure).toMatchObject({
      code: 'providers_unavailable',
      status: 503,
      message: 'every model candidate failed (openai/gpt-4o-mini: 401)',
      mayHaveReachedModel: false,
      mayRetry: false,
    });
  });

  it('keeps an orchestration timeout as a 408 that a model may have worked on', () => {
    const failure = runtimeFailure({ status: 408, body: envelope('orchestration_timeout', 408) });

    expect(failure).toMatchObject({
      code: 'orchestration_timeout',
      status: 408,
      mayHaveReachedModel: true,
      mayRetry: false,
    });
  });

  it('passes a refused request on as a 400 no model saw', () => {
    const failure = runtimeFailure({ status: 400, body: envelope('guardrail_blocked', 400) });

    expect(failure).toMatchObject({
      code: 'guardrail_blocked',
      status: 400,
      mayHaveReachedModel: false,
      mayRetry: false,
    });
  });

  it('turns an agent the runtime has not loaded into a 503 agent_unavailable', () => {
    const failure = runtimeFailure({ status: 404, body: envelope('agent_not_found', 404) });

    expect(failure).toMatchObject({
      code: 'agent_unavailable',
      status: 503,
      mayHaveReachedModel: false,
      mayRetry: true,
    });
  });

  it('lets a call that a runtime shutting down refused be sent again, to the runtime replacing it', () => {
    const failure = runtimeFailure({ status: 503, body: envelope('shutting_down', 503) });

    expect(failure).toMatchObject({ code: 'shutting_down', status: 503, mayHaveReachedModel: false, mayRetry: true });
  });

  it("turns the runtime refusing the API's token into a 502 runtime_unavailable", () => {
    const failure = runtimeFailure({ status: 401, body: envelope('unauthorized', 401) });

    expect(failure).toMatchObject({
      code: 'runtime_unavailable',
      status: 502,
      mayHaveReachedModel: false,
      mayRetry: true,
    });
  });

  it("turns the runtime's internal error into a 502 runtime_error that may have used a model", () => {
    const failure = runtimeFailure({ status: 500, body: envelope('internal_error', 500, 'secret stack trace') });

    expect(failure).toMatchObject({ code: 'runtime_error', status: 502, mayHaveReachedModel: true, mayRetry: false });
    expect(failure.message).not.toContain('secret stack trace');
  });

  it('copes with a body that is not an envelope', () => {
    const failure = runtimeFailure({ status: 503, body: 'Service Unavailable' });

    expect(failure).toMatchObject({ code: 'runtime_unavailable', status: 503, message: 'the runtime answered 503' });
  });
});

const systemError = (code: string, message = `connect ${code} 10.0.0.7:8000`) =>
  Object.assign(new Error(message), { code });

describe('runtimeUnreachable', () => {
  it('says a refused connection reached no model, in words of its own', () => {
    const failure = runtimeUnreachable(systemError('ECONNREFUSED'));

    expect(failure).toMatchObject({
      code: 'runtime_unavailable',
      status: 502,
      message: "the org's runtime refused the connection; try again shortly",
      mayHaveReachedModel: false,
      mayRetry: true,
    });
  });

  it('lets a name that does not resolve yet be tried again', () => {
    expect(runtimeUnreachable(systemError('ENOTFOUND'))).toMatchObject({ mayHaveReachedModel: false, mayRetry: true });
  });

  it('finds the refusal inside an AggregateError, as Happy Eyeballs connects report it', () => {
    const cause = new AggregateError([systemError('ECONNREFUSED'), systemError('ECONNREFUSED')], 'connect failed');

    expect(runtimeUnreachable(cause)).toMatchObject({ mayHaveReachedModel: false });
  });

  it('says a connection cut after the query was sent may have reached a model', () => {
    const failure = runtimeUnreachable(systemError('UND_ERR_SOCKET', 'other side closed'));

    expect(failure).toMatchObject({
      message:
        "the connection to the org's runtime was cut after the query was sent to it; a model may have worked on it",
      mayHaveReachedModel: true,
      mayRetry: false,
    });
  });

  it('names a stream the runtime closed mid-run', () => {
    const failure = runtimeUnreachable(new RuntimeStreamClosed(1006), { wasSent: true });

    expect(failure.message).toMatch(/^the org's runtime closed the stream before the run finished/);
    expect(failure.mayHaveReachedModel).toBe(true);
  });

  it('believes a caller that knows the query was not sent', () => {
    expect(runtimeUnreachable(systemError('ECONNRESET'), { wasSent: false })).toMatchObject({
      message: "the connection to the org's runtime was cut; try again shortly",
      mayHaveReachedModel: false,
      mayRetry: true,
    });
  });

  it('never shows the message of an unknown cause, and keeps the cause for the log', () => {
    const cause = new RangeError('Maximum call stack size exceeded');

    const failure = runtimeUnreachable(cause, { wasSent: false });

    expect(failure.message).toBe("the org's runtime could not be reached; try again shortly");
    expect(failure.cause).toBe(cause);
    expect(failure.mayRetry).toBe(false);
  });

  it('names the org that has no runtime ready yet, which no model served', () => {
    expect(runtimeNotReady('acme')).toMatchObject({
      code: 'runtime_unavailable',
      status: 502,
      message: expect.stringContaining('no ready runtime endpoint for org acme'),
      mayHaveReachedModel: false,
      mayRetry: true,
    });
  });
});

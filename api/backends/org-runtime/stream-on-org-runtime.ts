import WebSocket from 'ws';
import type { RunRequest } from '../../../runtime/engine/run-request.ts';
import type { RuntimeEndpoint } from '../deploy-backend.ts';
import type { RuntimeAnswer, RuntimeProgressEvent } from './runtime-answer.ts';
import {
  RunCancelled,
  RuntimeCallFailed,
  RuntimeStreamClosed,
  runtimeFailure,
  runtimeUnreachable,
} from './runtime-call-failed.ts';

interface StreamCall {
  endpoint: RuntimeEndpoint;
  agentId: string;
  request: RunRequest;
  signal: AbortSignal;
  onEvent: (event: RuntimeProgressEvent) => void;
  parseAnswer: (body: unknown) => RuntimeAnswer;
}

/**
 * One run over the runtime's `WS /v1/ws/agent/{id}`, on a socket of its own: progress events go
 * to `onEvent` as they arrive, and the promise settles with the `done` event's answer or the
 * `error` event's failure. Aborting the signal closes the socket, which makes the runtime cancel
 * the run and its model request.
 */
export function streamOnOrgRuntime(call: StreamCall): Promise<RuntimeAnswer> {
  return new Promise<RuntimeAnswer>((resolve, reject) => {
    if (call.signal.aborted) return reject(new RunCancelled({ wasSent: false }));
    // Serialised here, where a throw rejects this promise; in the socket's open handler it would
    // be an uncaught exception.
    const query = JSON.stringify(call.request);
    const url = `${call.endpoint.baseUrl.replace(/^http/, 'ws')}/v1/ws/agent/${encodeURIComponent(call.agentId)}`;
    const socket = new WebSocket(url, { headers: { authorization: `Bearer ${call.endpoint.token}` } });
    let isSettled = false;
    let wasSent = false;

    const settle = (outcome: () => void) => {
      if (isSettled) return;
      isSettled = true;
      call.signal.removeEventListener('abort', onAbort);
      if (socket.readyState === WebSocket.OPEN) socket.close(1000);
      else socket.terminate();
      outcome();
    };
    const onAbort = () => settle(() => reject(new RunCancelled({ wasSent })));
    call.signal.addEventListener('abort', onAbort, { once: true });

    socket.once('open', () => {
      socket.send(query);
      wasSent = true;
    });
    // A refused upgrade (the runtime's 401 or 404): ws leaves the response to us.
    socket.once('unexpected-response', (_request, response) => {
      response.resume();
      settle(() => reject(runtimeFailure({ status: response.statusCode ?? 502, body: undefined })));
    });
    socket.on('error', (err) => settle(() => reject(runtimeUnreachable(err, { wasSent }))));
    socket.on('close', (code) => settle(() => reject(runtimeUnreachable(new RuntimeStreamClosed(code), { wasSent }))));
    socket.on('message', (data) => {
      // A throw here (an event the caller's socket cannot serialise) would escape every request.
      try {
        passOn(parseEvent(data.toString()));
      } catch (err) {
        settle(() => reject(unpassableEvent(err)));
      }
    });
    const passOn = (event: Record<string, unknown>) => {
      if (event.type === 'done') settle(() => resolveOrReject(() => call.parseAnswer(event), resolve, reject));
      else if (event.type === 'error')
        settle(() => reject(runtimeFailure({ status: Number(event.status), body: event })));
      else if (event.type === 'token' && typeof event.content === 'string')
        call.onEvent({ type: 'token', content: event.content });
      else if (event.type === 'tool_call')
        call.onEvent({ type: 'tool_call', tool: String(event.tool), input: event.input });
      else if (event.type === 'tool_result')
        call.onEvent({ type: 'tool_result', tool: String(event.tool), output: event.output });
    };
  });
}

function unpassableEvent(cause: unknown): RuntimeCallFailed {
  return new RuntimeCallFailed({
    code: 'runtime_error',
    status: 502,
    message: "the org's runtime sent a stream event the Cloud API cannot pass on",
    mayHaveReachedModel: true,
    cause,
  });
}

function parseEvent(text: string): Record<string, unknown> {
  try {
    const event: unknown = JSON.parse(text);
    if (typeof event === 'object' && event !== null) return event as Record<string, unknown>;
  } catch {
    // Handled below, as an unreadable event.
  }
  return { type: 'unreadable' };
}

function resolveOrReject<T>(produce: () => T, resolve: (value: T) => void, reject: (err: unknown) => void): void {
  try {
    resolve(produce());
  } catch (err) {
    reject(err instanceof RuntimeCallFailed ? err : runtimeUnreachable(err));
  }
}

import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import { formatInputPath } from '../../runtime/input/format-input-path.ts';
import { parseJsonInput } from '../../runtime/input/parse-json-input.ts';
import type { RequestGuard } from '../../runtime/server/create-request-guard.ts';
import { AppError, InvalidInput } from '../errors.ts';
import { toErrorBody } from '../http/error-envelope.ts';
import type { OrgAccess } from '../http/principal.ts';
import { runAgentAnswerOf } from '../routes/run-agent-answer-of.ts';
import { RunAgentBody } from '../schemas/run-agent.ts';
import { StreamCancel, type StreamEvent, type StreamMode } from '../schemas/stream-event.ts';
import type { ExecutionService } from '../services/execution-service.ts';

// 1011 "Internal Error": the server hit a condition that kept it from serving this socket.
const internalError = 1011;

/**
 * One client's stream socket: each message `{query, session_id?, context?}` runs the agent, its
 * tokens (and tool calls) are sent as they come, then `done` or `error`. One run at a time, as on
 * the runtime. `{type: "cancel"}` cancels the run and the runtime's model request, and the run
 * ends with `cancelled`; closing the socket cancels it too. `mode` says whether the queries count
 * as runs or, like POST …/test, not at all. The message handler runs in a guarded scope: a bug
 * that escapes it sends this socket an `error` event and closes it with 1011, and no other stream
 * notices.
 */
export function serveAgentStream(
  ws: WebSocket,
  deps: {
    access: OrgAccess;
    agentName: string;
    streamId: string;
    mode: StreamMode;
    execution: ExecutionService;
    guard: RequestGuard;
    log: Logger;
  },
): void {
  const { access, agentName, streamId, log } = deps;
  let running: { controller: AbortController; isCancelled: boolean } | undefined;
  const send = (event: StreamEvent) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(event));
  };
  const sendError = (err: unknown) => send({ type: 'error', ...errorFieldsOf(err, streamId) });

  // ws reports bad frames here and closes the socket itself; unheard, the error would crash us.
  ws.on('error', (err) => log.debug({ err }, 'stream socket failed'));
  ws.on('close', () => running?.controller.abort());
  const scope = {
    requestId: streamId,
    fail: (err: unknown) => {
      sendError(err);
      ws.close(internalError, 'internal error');
    },
  };
  ws.on(
    'message',
    deps.guard.listener(scope, (data: RawData) => {
      let message: RunAgentBody | StreamCancel;
      try {
        message = parseMessage(data.toString());
      } catch (err) {
        return sendError(err);
      }
      if ('type' in message) {
        if (running && !running.isCancelled) {
          running.isCancelled = true;
          running.controller.abort();
        }
        return;
      }
      if (running) {
        return sendError(new AppError('run_in_progress', 409, 'wait for done before sending the next query'));
      }
      const run = { controller: new AbortController(), isCancelled: false };
      running = run;
      const { signal } = run.controller;
      let isAnswered = false;
      deps.execution
        .stream({ access, agentName, request: message, mode: deps.mode, signal, onEvent: send })
        .then((answer) => {
          isAnswered = true;
          send({ type: 'done', ...runAgentAnswerOf(answer) });
        })
        .catch((err: unknown) => {
          if (errorFieldsOf(err, streamId).status >= 500) log.warn({ err }, 'stream run failed');
          if (!signal.aborted) sendError(err);
        })
        .finally(() => {
          if (running === run) running = undefined;
          // Only once the run is over: a query sent on hearing it is not refused as run_in_progress.
          if (run.isCancelled && !isAnswered) send({ type: 'cancelled' });
        });
    }),
  );
}

function errorFieldsOf(err: unknown, streamId: string) {
  const { error, message, status } = toErrorBody(err, streamId);
  // A stream has no headers: a temporary refusal's Retry-After (database_unavailable) travels in the event.
  const retryAfter = err instanceof AppError ? Number(err.headers['Retry-After']) : Number.NaN;
  return { error, message, status, ...(Number.isInteger(retryAfter) ? { retry_after: retryAfter } : {}) };
}

/** A query, or `{type: "cancel"}`. */
function parseMessage(text: string): RunAgentBody | StreamCancel {
  // Decoded, bounded and checked before anything serialises it: a context nested 5,000 levels
  // deep used to overflow the stack in JSON.stringify and end the process.
  const message = parseJsonInput(text, 'message');
  const cancel = StreamCancel.safeParse(message);
  if (cancel.success) return cancel.data;
  const parsed = RunAgentBody.safeParse(message);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = (issue?.path ?? []).map((key) => (typeof key === 'symbol' ? String(key) : key));
  throw new InvalidInput(`${formatInputPath(path, 'message')}: ${issue?.message ?? 'invalid'}`);
}

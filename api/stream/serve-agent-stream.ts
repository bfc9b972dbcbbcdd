import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import { formatInputPath } from '../../runtime/input/format-input-path.ts';
import { parseJsonInput } from '../../runtime/input/parse-json-input.ts';
import type { RequestGuard } from '../../runtime/server/create-request-guard.ts';
import { AppError, InvalidInput } from '../errors.ts';
import { toErrorBody } from '../http/error-envelope.ts';
import type { OrgAccess } from '../http/principal.ts';
import { runAgentAnswerOf } from '../routes/run-agent-answer-of.ts';
import { RunAgentBody, type StreamEvent } from '../schemas/run-agent.ts';
import type { ExecutionService } from '../services/execution-service.ts';

// 1011 "Internal Error": the server hit a condition that kept it from serving this socket.
const internalError = 1011;

/**
 * One client's stream socket: each message `{query, session_id?, context?}` runs the agent, its
 * tokens (and tool calls) are sent as they come, then `done` or `error`. One run at a time, as on
 * the runtime; closing the socket cancels the run and the runtime's model request. The message
 * handler runs in a guarded scope: a bug that escapes it sends this socket an `error` event and
 * closes it with 1011, and no other stream notices.
 */
export function serveAgentStream(
  ws: WebSocket,
  deps: {
    access: OrgAccess;
    agentName: string;
    streamId: string;
    execution: ExecutionService;
    guard: RequestGuard;
    log: Logger;
  },
): void {
  const { access, agentName, streamId, log } = deps;
  let running: AbortController | undefined;
  const send = (event: StreamEvent) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(event));
  };
  const sendError = (err: unknown) => send({ type: 'error', ...errorFieldsOf(err, streamId) });

  // ws reports bad frames here and closes the socket itself; unheard, the error would crash us.
  ws.on('error', (err) => log.debug({ err }, 'stream socket failed'));
  ws.on('close', () => running?.abort());
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
      if (running) {
        return sendError(new AppError('run_in_progress', 409, 'wait for done before sending the next query'));
      }
      let request: RunAgentBody;
      try {
        request = parseMessage(data.toString());
      } catch (err) {
        return sendError(err);
      }
      const run = new AbortController();
      running = run;
      deps.execution
        .stream({ access, agentName, request, signal: run.signal, onEvent: send })
        .then((answer) => send({ type: 'done', ...runAgentAnswerOf(answer) }))
        .catch((err: unknown) => {
          if (errorFieldsOf(err, streamId).status >= 500) log.warn({ err }, 'stream run failed');
          if (!run.signal.aborted) sendError(err);
        })
        .finally(() => {
          if (running === run) running = undefined;
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

function parseMessage(text: string): RunAgentBody {
  // Decoded, bounded and checked before anything serialises it: a context nested 5,000 levels
  // deep used to overflow the stack in JSON.stringify and end the process.
  const message = parseJsonInput(text, 'message');
  const parsed = RunAgentBody.safeParse(message);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = (issue?.path ?? []).map((key) => (typeof key === 'symbol' ? String(key) : key));
  throw new InvalidInput(`${formatInputPath(path, 'message')}: ${issue?.message ?? 'invalid'}`);
}

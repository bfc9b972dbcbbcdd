import type { Logger } from 'pino';
import type { WebSocket } from 'ws';
import { AppError, InvalidInput } from '../errors.ts';
import { toErrorBody } from '../http/error-envelope.ts';
import type { OrgAccess } from '../http/principal.ts';
import { RunAgentBody, type StreamEvent } from '../schemas/run-agent.ts';
import type { ExecutionService } from '../services/execution-service.ts';

/**
 * One client's stream socket: each message `{query, session_id?, context?}` runs the agent, its
 * tokens (and tool calls) are sent as they come, then `done` or `error`. One run at a time, as on
 * the runtime; closing the socket cancels the run and the runtime's model request.
 */
export function serveAgentStream(
  ws: WebSocket,
  deps: { access: OrgAccess; agentName: string; streamId: string; execution: ExecutionService; log: Logger },
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
  ws.on('message', (data) => {
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
      .then((answer) =>
        send({
          type: 'done',
          answer: answer.answer,
          session_id: answer.sessionId,
          tokens_used: answer.tokensUsed,
          model: answer.model,
          latency_ms: answer.latencyMs,
          trace_id: answer.traceId,
        }),
      )
      .catch((err: unknown) => {
        if (errorFieldsOf(err, streamId).status >= 500) log.warn({ err }, 'stream run failed');
        if (!run.signal.aborted) sendError(err);
      })
      .finally(() => {
        if (running === run) running = undefined;
      });
  });
}

function errorFieldsOf(err: unknown, streamId: string) {
  const { error, message, status } = toErrorBody(err, streamId);
  return { error, message, status };
}

function parseMessage(text: string): RunAgentBody {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch (err) {
    throw new InvalidInput(`message: not valid JSON (${(err as Error).message})`);
  }
  const parsed = RunAgentBody.safeParse(message);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new InvalidInput(`${issue?.path.join('.') || 'message'}: ${issue?.message ?? 'invalid'}`);
}

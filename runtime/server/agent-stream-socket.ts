import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { RunRequest } from '../engine/run-request.ts';
import { decodePathSegment } from '../input/decode-path-segment.ts';
import { parseJsonInput } from '../input/parse-json-input.ts';
import type { RunEvent } from '../patterns/pattern-types.ts';
import { ClientGone, InvalidRequest, RuntimeError } from '../runtime-error.ts';
import { bearerTokenOf, type TokenCheck, Unauthorized } from './bearer-token.ts';
import type { GuardedScope, RequestGuard } from './create-request-guard.ts';
import { type ErrorBody, toErrorBody } from './error-envelope.ts';
import { followUntilClosed } from './follow-until-closed.ts';
import { parse } from './routes/parse.ts';
import type { RuntimeServices } from './runtime-services.ts';

const streamPath = /^\/v1\/ws\/agent\/([^/]+)$/;
const maxMessageBytes = 1024 * 1024;
// 1011 "Internal Error": the server hit a condition that kept it from serving this socket.
const internalError = 1011;

/**
 * `WS /v1/ws/agent/{name}` (seed 002): each message `{query, session_id?, context?}` starts a run
 * whose tokens, tool calls and tool results are sent as they happen, then `done` or `error`.
 * One run at a time per socket. Closing the socket cancels the run and its model request.
 * Everything a socket does runs in a guarded scope: a bug that escapes its handlers sends that
 * socket an `error` event and closes it with 1011, and no other socket notices.
 */
export function attachAgentStreamSocket(
  server: Server,
  deps: { services: RuntimeServices; tokenCheck: TokenCheck; shutdown: AbortSignal; guard: RequestGuard; log: Logger },
) {
  const sockets = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // node:http drops its own error listener from an upgrading socket: without this one, a client
    // that resets the connection while we answer would crash the process with ECONNRESET.
    const onSocketError = (err: Error) => deps.log.debug({ err }, 'upgrade socket failed');
    socket.on('error', onSocketError);
    const streamId = randomUUID();
    let ws: WebSocket | undefined;
    const scope: GuardedScope = {
      requestId: streamId,
      fail: (err) => (ws ? failSocket(ws, err) : refuse(socket, toErrorBody(err))),
    };
    deps.guard.listener(scope, () => {
      let agent: string;
      try {
        agent = agentOf(req);
      } catch (err) {
        const body = toErrorBody(err);
        if (body.status >= 500) deps.log.error({ err, streamId }, 'stream upgrade failed');
        return refuse(socket, body);
      }
      // From here ws handles the socket's errors itself.
      socket.off('error', onSocketError);
      sockets.handleUpgrade(req, socket, head, (upgraded) => {
        ws = upgraded;
        serveSocket(upgraded, agent, scope);
      });
    })();
  });

  /** The agent the upgrade asks for, once its path and token are good; throws their 4xx. */
  function agentOf(req: IncomingMessage): string {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://runtime');
    } catch {
      // node:http lets through targets no URL parser takes (`//`): the caller's mistake, not ours.
      throw new InvalidRequest('path: not a valid request target');
    }
    const match = streamPath.exec(url.pathname);
    if (!match) throw new RuntimeError('not_found', 404, `no WebSocket route ${url.pathname}`);
    const token = bearerTokenOf(req) ?? url.searchParams.get('token') ?? undefined;
    if (!deps.tokenCheck(token)) throw new Unauthorized();
    return decodePathSegment(match[1] as string, 'path');
  }

  function serveSocket(ws: WebSocket, agent: string, scope: GuardedScope): void {
    let running: AbortController | undefined;
    const send = (message: object) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    // ws reports a bad frame (too large, invalid UTF-8) here and closes the socket itself (1009,
    // 1007…); without a listener the error would be thrown and crash the process.
    ws.on('error', (err) => deps.log.debug({ agent, err }, 'stream socket failed'));
    ws.on('close', () => running?.abort(new ClientGone()));
    ws.on(
      'message',
      deps.guard.listener(scope, async (data: RawData) => {
        if (running) {
          return send({
            type: 'error',
            error: 'run_in_progress',
            message: 'wait for done before sending the next query',
            status: 409,
          });
        }
        running = new AbortController();
        const signal = running.signal;
        const unfollow = followUntilClosed(running, deps.shutdown);
        try {
          // Decoded, bounded and checked before anything serialises it (an overflowing context crashed us).
          const request = parse(RunRequest, parseJsonInput(data.toString(), 'message'), 'message');
          const result = await deps.services.engine.run(agent, request, {
            signal,
            onEvent: (event: RunEvent) => send(event),
          });
          send({
            type: 'done',
            response: result.response,
            session_id: result.session_id,
            usage: result.usage,
            timing: result.timing,
            model: result.model,
            provider: result.provider,
            trace_id: result.trace_id,
            agent_version: result.agent_version,
            ...(result.data_error !== undefined ? { data: result.data, data_error: result.data_error } : {}),
          });
        } catch (err) {
          if (!signal.aborted || deps.shutdown.aborted) send({ type: 'error', ...toErrorBody(err) });
          if (toErrorBody(err).status >= 500) deps.log.warn({ agent, err }, 'stream run failed');
        } finally {
          unfollow();
          running = undefined;
        }
      }),
    );
  }

  return {
    /** Closes every socket, e.g. at the shutdown deadline. */
    closeAll(): void {
      for (const ws of sockets.clients) ws.close(1001, 'server shutting down');
    },
  };
}

function failSocket(ws: WebSocket, err: unknown): void {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'error', ...toErrorBody(err) }));
  ws.close(internalError, 'internal error');
}

/** A refused upgrade: the status and the error envelope, as plain HTTP. */
function refuse(socket: Duplex, body: ErrorBody): void {
  const text = JSON.stringify(body);
  const head = [
    `HTTP/1.1 ${body.status} ${STATUS_CODES[body.status] ?? 'Error'}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(text)}`,
    'Connection: close',
  ];
  if (socket.writable) socket.end(`${head.join('\r\n')}\r\n\r\n${text}`);
  else socket.destroy();
}

import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { type WebSocket, WebSocketServer } from 'ws';
import { RunRequest } from '../engine/run-request.ts';
import type { RunEvent } from '../patterns/pattern-types.ts';
import { ClientGone, InvalidRequest } from '../runtime-error.ts';
import { bearerTokenOf, type TokenCheck } from './bearer-token.ts';
import { toErrorBody } from './error-envelope.ts';
import { parse } from './routes/parse.ts';
import type { RuntimeServices } from './runtime-services.ts';

const streamPath = /^\/v1\/ws\/agent\/([^/]+)$/;
const maxMessageBytes = 1024 * 1024;

/**
 * `WS /v1/ws/agent/{name}` (seed 002): each message `{query, session_id?, context?}` starts a run
 * whose tokens, tool calls and tool results are sent as they happen, then `done` or `error`.
 * One run at a time per socket. Closing the socket cancels the run and its model request.
 */
export function attachAgentStreamSocket(
  server: Server,
  deps: { services: RuntimeServices; tokenCheck: TokenCheck; shutdown: AbortSignal; log: Logger },
) {
  const sockets = new WebSocketServer({ noServer: true, maxPayload: maxMessageBytes });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    // node:http drops its own error listener from an upgrading socket: without this one, a client
    // that resets the connection while we answer would crash the process with ECONNRESET.
    const onSocketError = (err: Error) => deps.log.debug({ err }, 'upgrade socket failed');
    socket.on('error', onSocketError);
    const url = new URL(req.url ?? '/', 'http://runtime');
    const match = streamPath.exec(url.pathname);
    if (!match) return refuse(socket, 404, 'Not Found');
    const token = bearerTokenOf(req) ?? url.searchParams.get('token') ?? undefined;
    if (!deps.tokenCheck(token)) return refuse(socket, 401, 'Unauthorized');
    const agent = decodeURIComponent(match[1] as string);
    // From here ws handles the socket's errors itself.
    socket.off('error', onSocketError);
    sockets.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, agent));
  });

  function serveSocket(ws: WebSocket, agent: string): void {
    let running: AbortController | undefined;
    const send = (message: object) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
    };
    // ws reports a bad frame (too large, invalid UTF-8) here and closes the socket itself (1009,
    // 1007…); without a listener the error would be thrown and crash the process.
    ws.on('error', (err) => deps.log.debug({ agent, err }, 'stream socket failed'));
    ws.on('close', () => running?.abort(new ClientGone()));
    ws.on('message', async (data) => {
      if (running) {
        return send({
          type: 'error',
          error: 'run_in_progress',
          message: 'wait for done before sending the next query',
          status: 409,
        });
      }
      running = new AbortController();
      const signal = AbortSignal.any([running.signal, deps.shutdown]);
      try {
        const request = parse(RunRequest, parseJson(data.toString()), 'message');
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
        });
      } catch (err) {
        if (!signal.aborted || deps.shutdown.aborted) send({ type: 'error', ...toErrorBody(err) });
        if (toErrorBody(err).status >= 500) deps.log.warn({ agent, err }, 'stream run failed');
      } finally {
        running = undefined;
      }
    });
  }

  return {
    /** Closes every socket, e.g. at the shutdown deadline. */
    closeAll(): void {
      for (const ws of sockets.clients) ws.close(1001, 'server shutting down');
    },
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    // Say what is wrong with the message; validating a stand-in object would blame a missing query.
    throw new InvalidRequest(`message: not valid JSON (${(err as Error).message})`);
  }
}

function refuse(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

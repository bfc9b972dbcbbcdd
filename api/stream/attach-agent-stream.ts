import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type Server, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { type WebSocket, WebSocketServer } from 'ws';
import { decodePathSegment } from '../../runtime/input/decode-path-segment.ts';
import { InputRefused } from '../../runtime/input/input-refused.ts';
import type { GuardedScope, RequestGuard } from '../../runtime/server/create-request-guard.ts';
import type { Database } from '../db/database.ts';
import { AppError, NotFound, Unauthenticated } from '../errors.ts';
import { principalOfToken } from '../http/authenticate.ts';
import { type ErrorBody, toErrorBody } from '../http/error-envelope.ts';
import { everyone, type OrgAccess } from '../http/principal.ts';
import { resolveOrgAccess } from '../http/resolve-org-access.ts';
import { type StreamMode, streamModes } from '../schemas/stream-event.ts';
import { RevokedApiKeyUsed } from '../services/auth-event-errors.ts';
import type { ExecutionService } from '../services/execution-service.ts';
import type { TokenService } from '../services/token-service.ts';
import type { AuditEntryInput } from '../stores/audit-log-store.ts';
import { serveAgentStream } from './serve-agent-stream.ts';
import { createStreamSlots, type StreamLease } from './stream-slots.ts';
import { chooseStreamProtocol, tokenOfProtocols } from './token-of-protocols.ts';

const maxMessageBytes = 1024 * 1024;
// 1013 "Try Again Later": the refusal of a stream past the org's limit is temporary.
const tryAgainLater = 1013;

export interface AgentStreamDeps {
  db: Database;
  tokens: TokenService;
  now: () => Date;
  execution: ExecutionService;
  /** Open streams allowed per org, across every API replica (config.limits.maxStreams). */
  maxStreamsPerOrg: number;
  /** How long a stream's slot outlives this process's last heartbeat (config.streamLeaseSeconds). */
  streamLeaseSeconds: number;
  /** The API's path prefix, `/api/v1`. */
  pathPrefix: string;
  /** Each upgrade runs in a scope of its own: a bug that escapes it fails that caller alone. */
  guard: RequestGuard;
  log: Logger;
  /** Where a revoked API key's use is recorded (the audit log's auth event); optional in tests. */
  recordAudit?: (entry: AuditEntryInput) => void;
}

/**
 * `WS /api/v1/orgs/{slug}/agents/{name}/stream` (seed 003), authenticated by a JWT or an `ask-` API
 * key. Browsers cannot set headers on a WebSocket, so they offer the token as a subprotocol,
 * `['astromesh.v1', 'astromesh.bearer.<base64url(token)>']`, and the API answers `astromesh.v1`
 * (token-of-protocols.ts); `?token=`, Authorization: Bearer and X-API-Key work too. `?mode=test`
 * makes its queries tests (not counted, as POST …/test; Studio's playground), `run` (the default)
 * runs. Neither the URL nor the protocol header is ever logged: both may hold a credential. Who,
 * where and what are checked before the upgrade, so 401, 403 and 404 are plain HTTP refusals with
 * the error envelope. A stream past the org's limit is accepted and then refused with an `error`
 * event (`stream_limit_reached`, 429) and close code 1013: a browser never sees an upgrade's
 * status. The limit is counted in PostgreSQL (stream-slots.ts), so it holds across API replicas.
 */
export function attachAgentStream(server: Server, deps: AgentStreamDeps) {
  const log = deps.log.child({ component: 'agent-stream' });
  const sockets = new WebSocketServer({
    noServer: true,
    maxPayload: maxMessageBytes,
    handleProtocols: chooseStreamProtocol,
  });
  const slots = createStreamSlots({
    db: deps.db,
    maxPerOrg: deps.maxStreamsPerOrg,
    leaseSeconds: deps.streamLeaseSeconds,
    log,
  });
  const streamPath = new RegExp(`^${deps.pathPrefix}/orgs/([^/]+)/agents/([^/]+)/stream$`);

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const streamId = randomUUID();
    // Everything an upgrade starts runs in its guarded scope (serveAgentStream guards the
    // stream's own messages): an error that escapes fails this caller alone.
    const scope: GuardedScope = {
      requestId: streamId,
      fail: (err) => failUpgrade(socket, toErrorBody(err, streamId), headersOf(err)),
    };
    deps.guard.listener(scope, onUpgrade)(req, socket, head, streamId);
  });

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, streamId: string): void {
    // node:http drops its error listener from an upgrading socket: a client resetting the
    // connection while we check its token would otherwise crash the process.
    const onSocketError = (err: Error) => log.debug({ err }, 'upgrade socket failed');
    socket.on('error', onSocketError);
    let target: StreamTarget;
    try {
      target = streamTargetOf(req);
    } catch (err) {
      refuse(socket, toErrorBody(err, streamId), headersOf(err));
      return;
    }
    const { url, orgSlug, agentName, mode } = target;

    authorize(req, url, orgSlug, agentName).then(
      (access) => {
        socket.off('error', onSocketError);
        sockets.handleUpgrade(req, socket, head, (ws) =>
          startStream(ws, { access, orgSlug, agentName, mode, streamId }),
        );
      },
      (err: unknown) => {
        const body = toErrorBody(err, streamId);
        if (err instanceof RevokedApiKeyUsed) {
          deps.recordAudit?.({
            org: { id: err.orgId },
            actor: { kind: 'api_key', id: err.keyId },
            action: 'auth.revoked_api_key_used',
            method: 'GET',
            route: `${deps.pathPrefix}/orgs/{slug}/agents/{name}/stream`,
            target: agentName,
            status: body.status,
            requestId: streamId,
            sourceIp: req.socket.remoteAddress,
          });
        }
        if (body.status >= 500) log.error({ err, streamId, path: url.pathname }, 'stream upgrade failed');
        refuse(socket, body, headersOf(err));
      },
    );
  }

  /**
   * Takes one of the org's stream slots for the upgraded socket, then serves it; past the org's
   * limit it sends `stream_limit_reached` and closes with 1013.
   */
  function startStream(
    ws: WebSocket,
    target: { access: OrgAccess; orgSlug: string; agentName: string; mode: StreamMode; streamId: string },
  ) {
    const { access, agentName, mode, streamId } = target;
    const streamLog = log.child({ org: target.orgSlug, agent: agentName, streamId });
    // Nothing is read from the client until the stream has its slot and its handlers: a query
    // sent right after the upgrade waits in the socket instead of going unheard.
    ws.pause();
    let lease: StreamLease | undefined;
    let isClosed = false;
    ws.once('close', () => {
      isClosed = true;
      lease?.release();
    });
    const end = (event: Omit<ErrorBody, 'request_id'>, closeCode: number, reason: string) => {
      ws.resume(); // the close handshake needs the client's answer read
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ type: 'error', ...event }));
      ws.close(closeCode, reason);
    };
    const onLapse = () => {
      const message = "this stream's slot lapsed while the API could not reach its database; reconnect";
      end({ error: 'stream_lease_lapsed', message, status: 503 }, tryAgainLater, 'stream slot lapsed');
    };
    const onAcquired = (acquired: StreamLease | undefined) => {
      if (!acquired) {
        const message = `the org has ${deps.maxStreamsPerOrg} open streams, the most it may have; close one first`;
        return end({ error: 'stream_limit_reached', message, status: 429 }, tryAgainLater, 'stream limit reached');
      }
      lease = acquired;
      if (isClosed) return acquired.release();
      serveAgentStream(ws, {
        access,
        agentName,
        streamId,
        mode,
        execution: deps.execution,
        guard: deps.guard,
        log: streamLog,
      });
      ws.resume();
    };
    const onFailed = (err: unknown) => {
      const { error, message, status } = toErrorBody(err, streamId);
      if (status >= 500) streamLog.error({ err }, 'stream slot not acquired');
      end({ error, message, status }, status === 503 ? tryAgainLater : 1011, 'stream slot not acquired');
    };
    slots
      .tryAcquire(access.orgId, { onLapse })
      .then(onAcquired, onFailed)
      // A bug above must end this stream only, never reach the process as an unhandled rejection.
      .catch((err: unknown) => {
        streamLog.error({ err }, 'stream not started');
        ws.terminate();
      });
  }

  /**
   * The org and agent the upgrade's path names, and its `?mode=`; a broken %-escape, a NUL or an
   * unknown mode is a 400, not a crash.
   */
  function streamTargetOf(req: IncomingMessage): StreamTarget {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://api');
    } catch {
      throw new InputRefused('path: not a valid request target');
    }
    const match = streamPath.exec(url.pathname);
    if (!match) throw new NotFound(`no WebSocket route ${url.pathname}`);
    const orgSlug = decodePathSegment(match[1] as string, 'slug');
    const agentName = decodePathSegment(match[2] as string, 'name');
    return { url, orgSlug, agentName, mode: modeOf(url) };
  }

  async function authorize(req: IncomingMessage, url: URL, orgSlug: string, agentName: string): Promise<OrgAccess> {
    const token =
      tokenOfProtocols(headerOf(req, 'sec-websocket-protocol')) ??
      url.searchParams.get('token') ??
      bearerOf(req) ??
      headerOf(req, 'x-api-key');
    if (!token) {
      throw new Unauthenticated(
        'a token (JWT or API key) is required: a Sec-WebSocket-Protocol entry astromesh.bearer.<base64url token>, ?token=, Authorization: Bearer or X-API-Key',
      );
    }
    const principal = await principalOfToken(deps, token);
    const access = await resolveOrgAccess(deps, principal, orgSlug, everyone);
    await deps.execution.agentOf(access, agentName);
    return access;
  }

  return {
    /** Closes every stream (their runs are cancelled) and frees their slots, e.g. on shutdown. */
    async close(): Promise<void> {
      for (const ws of sockets.clients) ws.close(1001, 'server shutting down');
      sockets.close();
      await slots.close();
    },
  };
}

function bearerOf(req: IncomingMessage): string | undefined {
  const match = /^Bearer (.+)$/i.exec(headerOf(req, 'authorization') ?? '');
  return match?.[1];
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

interface StreamTarget {
  url: URL;
  orgSlug: string;
  agentName: string;
  mode: StreamMode;
}

function modeOf(url: URL): StreamMode {
  const mode = url.searchParams.get('mode') ?? 'run';
  if ((streamModes as readonly string[]).includes(mode)) return mode as StreamMode;
  throw new InputRefused(`query.mode: must be ${streamModes.join(' or ')}`);
}

/** A refusal while the caller still waits for the upgrade's answer; a cut connection after it. */
function failUpgrade(socket: Duplex, body: ErrorBody, extraHeaders: Record<string, string>): void {
  // ws writes its 101 synchronously in handleUpgrade: once anything went out, only a cut is left.
  if ((socket as Partial<Socket>).bytesWritten) socket.destroy();
  else refuse(socket, body, extraHeaders);
}

/** What the error adds to its answer, as on plain HTTP: Retry-After on a 503 database_unavailable. */
const headersOf = (err: unknown): Record<string, string> => (err instanceof AppError ? err.headers : {});

function refuse(socket: Duplex, body: ErrorBody, extraHeaders: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  const headers = [
    `HTTP/1.1 ${body.status} ${STATUS_CODES[body.status] ?? 'Error'}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(text)}`,
    'Connection: close',
    // Header names and values come from our own AppErrors, never from the caller.
    ...Object.entries(extraHeaders).map(([name, value]) => `${name}: ${value}`),
  ];
  if (socket.writable) socket.end(`${headers.join('\r\n')}\r\n\r\n${text}`);
  else socket.destroy();
}

export type AgentStream = ReturnType<typeof attachAgentStream>;

import type { StreamEvent, StreamMode } from '../../../api/schemas/stream-event.ts';
import { bearerProtocolPrefix, streamProtocol } from '../../../api/schemas/stream-protocols.ts';
import { apiPrefix } from './api-client.ts';

export type { StreamEvent, StreamMode };

export interface AgentStream {
  readonly mode: StreamMode;
  /** Sends a query; its events reach `onEvent`, ending with `done`, `cancelled` or `error`. */
  send(message: { query: string; session_id?: string }): void;
  /** Asks the API to stop the running query (and its model request); it ends with `cancelled`. */
  cancel(): void;
  isOpen(): boolean;
  close(): void;
}

/** The upgrade was refused or the connection failed: a browser is not told which, nor why. */
export class StreamNotOpened extends Error {
  override name = 'StreamNotOpened';
}

/**
 * Opens `WS /api/v1/orgs/{org}/agents/{agent}/stream` on Studio's own origin. A browser cannot
 * set headers on a WebSocket, and the console prints the URL of a socket that fails to open, so
 * the access token goes in the subprotocol list (`astromesh.bearer.<base64url>`, beside
 * `astromesh.v1`, the one the API answers), never in the URL. `mode: 'test'` makes the queries
 * tests (not counted), `run` real runs.
 */
export function openAgentStream(input: {
  org: string;
  agent: string;
  token: string;
  mode: StreamMode;
  onEvent: (event: StreamEvent) => void;
  /** After the socket closed, whoever closed it; `code` 1000 when it was this side, cleanly. */
  onClose: (code: number) => void;
}): Promise<AgentStream> {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const query = new URLSearchParams({ mode: input.mode });
  const path = `${apiPrefix}/orgs/${encodeURIComponent(input.org)}/agents/${encodeURIComponent(input.agent)}/stream`;
  const protocols = input.token
    ? [streamProtocol, `${bearerProtocolPrefix}${base64url(input.token)}`]
    : [streamProtocol];
  const socket = new WebSocket(`${scheme}://${location.host}${path}?${query}`, protocols);
  const stream: AgentStream = {
    mode: input.mode,
    send: (message) => socket.send(JSON.stringify(message)),
    cancel: () => {
      if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'cancel' }));
    },
    isOpen: () => socket.readyState === WebSocket.OPEN,
    close: () => socket.close(1000),
  };
  return new Promise((resolve, reject) => {
    let isOpened = false;
    socket.addEventListener('open', () => {
      isOpened = true;
      resolve(stream);
    });
    socket.addEventListener('message', (message) => {
      if (typeof message.data === 'string') input.onEvent(JSON.parse(message.data) as StreamEvent);
    });
    socket.addEventListener('close', (closed) => {
      if (isOpened) input.onClose(closed.code);
      else reject(new StreamNotOpened('the stream could not be opened'));
    });
  });
}

/** Base64url without padding: `=` may not stand in a subprotocol name (an HTTP token). */
function base64url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
}

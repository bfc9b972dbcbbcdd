import WebSocket from 'ws';

/**
 * One event the runtime sends on `WS /v1/ws/agent/{name}` (seed 002). Tests inspect events
 * loosely and let `expect` check shapes, so fields are typed as any here, once.
 */
// biome-ignore lint/suspicious/noExplicitAny: see above
export type StreamEvent = { type: string } & Record<string, any>;

export interface AgentSocket {
  /** Sends one message; objects go as JSON, strings as they are. */
  send(message: object | string): void;
  /** The next event not yet taken, waiting for it if needed. */
  next(): Promise<StreamEvent>;
  /** Every event up to and including the first one `isLast` accepts. */
  until(isLast: (event: StreamEvent) => boolean): Promise<StreamEvent[]>;
  /** Every event up to and including the run's `done` or `error`. */
  untilEnd(): Promise<StreamEvent[]>;
  /** The close code, once the socket has closed (1000 normal, 1009 message too big…). */
  readonly closed: Promise<number>;
  /** Closes the socket and waits until the close handshake is over. */
  close(): Promise<void>;
  readonly socket: WebSocket;
}

/**
 * A WebSocket client on `/v1/ws/agent/{agent}` (or any `path`), with the runtime's token as a
 * bearer header when `token` is given, offering the subprotocols `protocols`. Events are queued
 * from the moment the socket opens, so a test never misses one that arrives before it asks.
 */
export async function openAgentSocket(
  runtimeUrl: string,
  options: { agent?: string; path?: string; token?: string; protocols?: string[] },
): Promise<AgentSocket> {
  const path = options.path ?? `/v1/ws/agent/${encodeURIComponent(options.agent ?? '')}`;
  const socket = new WebSocket(`${runtimeUrl.replace(/^http/, 'ws')}${path}`, options.protocols ?? [], {
    headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
  });
  const events: StreamEvent[] = [];
  const waiters: { resolve: (event: StreamEvent) => void; reject: (err: Error) => void }[] = [];
  let closedError: Error | undefined;
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));

  socket.on('message', (data) => {
    const event = JSON.parse(data.toString()) as StreamEvent;
    const waiter = waiters.shift();
    if (waiter) waiter.resolve(event);
    else events.push(event);
  });
  socket.on('close', (code) => {
    closedError = new Error(`the socket closed (code ${code}) while an event was awaited`);
    for (const waiter of waiters.splice(0)) waiter.reject(closedError);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    // Stays on after the open, so a later error (a reset connection) is not thrown; 'close' follows.
    socket.on('error', reject);
  });

  const next = () =>
    new Promise<StreamEvent>((resolve, reject) => {
      const queued = events.shift();
      if (queued) return resolve(queued);
      if (closedError) return reject(closedError);
      waiters.push({ resolve, reject });
    });

  async function until(isLast: (event: StreamEvent) => boolean) {
    const received: StreamEvent[] = [];
    for (;;) {
      const event = await next();
      received.push(event);
      if (isLast(event)) return received;
    }
  }

  return {
    socket,
    closed,
    send(message) {
      socket.send(typeof message === 'string' ? message : JSON.stringify(message));
    },
    next,
    until,
    untilEnd: () => until((event) => event.type === 'done' || event.type === 'error'),
    close() {
      if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
      socket.close();
      return closed.then(() => undefined);
    },
  };
}

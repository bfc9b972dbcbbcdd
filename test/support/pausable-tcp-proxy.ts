import { createConnection, createServer, type Socket } from 'node:net';

export interface PausableTcpProxy {
  /** The loopback port the proxy listens on. */
  port: number;
  /** Connections open now stop moving bytes either way, as a stuck TCP connection; later ones flow. */
  freezeOpenConnections(): void;
  /** Every connection, open or yet to come, stops moving bytes (a network partition). */
  pause(): void;
  /** Every connection moves bytes again, including those frozen earlier. */
  resume(): void;
  /** Connections currently open through the proxy. */
  readonly openConnections: number;
  close(): Promise<void>;
}

interface ProxiedConnection {
  client: Socket;
  upstream: Socket;
  isFrozen: boolean;
}

/**
 * A TCP proxy on 127.0.0.1 that pipes bytes to `target` and can freeze connections, so tests can
 * make a watch or a lease renewal hang the way a half-dead connection does. It sees only bytes:
 * TLS runs end to end between client and server, so certificate checks are unchanged.
 */
export async function startPausableTcpProxy(target: { host: string; port: number }): Promise<PausableTcpProxy> {
  const connections = new Set<ProxiedConnection>();
  let isPaused = false;

  const server = createServer((client) => {
    const upstream = createConnection(target);
    const connection: ProxiedConnection = { client, upstream, isFrozen: isPaused };
    connections.add(connection);
    forward(connection, client, upstream);
    forward(connection, upstream, client);
    const closeBoth = () => {
      connections.delete(connection);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('error', closeBoth);
      socket.on('close', closeBoth);
    }
    if (connection.isFrozen) freeze(connection);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('the proxy has no TCP address');

  return {
    port: address.port,
    freezeOpenConnections() {
      for (const connection of connections) freeze(connection);
    },
    pause() {
      isPaused = true;
      for (const connection of connections) freeze(connection);
    },
    resume() {
      isPaused = false;
      for (const connection of connections) {
        connection.isFrozen = false;
        connection.client.resume();
        connection.upstream.resume();
      }
    },
    get openConnections() {
      return connections.size;
    },
    close() {
      for (const { client, upstream } of connections) {
        client.destroy();
        upstream.destroy();
      }
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

function freeze(connection: ProxiedConnection): void {
  connection.isFrozen = true;
  // A paused socket is not read, so nothing is forwarded and, once the kernel buffers fill,
  // the sender stalls too: what a stuck connection looks like from both ends.
  connection.client.pause();
  connection.upstream.pause();
}

// Hand-written rather than pipe(): pipe() resumes its source on 'drain', which would thaw a frozen connection.
function forward(connection: ProxiedConnection, from: Socket, to: Socket): void {
  from.on('data', (chunk) => {
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', () => {
        if (!connection.isFrozen) from.resume();
      });
    }
  });
  from.on('end', () => to.end());
}

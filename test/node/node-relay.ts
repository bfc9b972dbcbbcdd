import { connect, createServer, type Server, type Socket } from 'node:net';

const maxHeaderBytes = 300;

/**
 * The node's end of the relay, run by the supervisor inside the node's network namespace: each
 * connection to the unix socket starts with one line `HOST:PORT\n`, and the rest of it is piped
 * both ways to a TCP connection to HOST:PORT made from inside the namespace. The socket file is on
 * the machine's disk, which both namespaces see; this is how a test reaches pods, Services and
 * the API server without a single route out of the node's namespace.
 */
export function startRelayServer(socketPath: string): Promise<Server> {
  const server = createServer({ allowHalfOpen: true }, (client) => {
    readHeader(client)
      .then(({ host, port, rest }) => {
        const upstream = connect({ host, port, allowHalfOpen: true });
        upstream.once('connect', () => {
          if (rest.length > 0) upstream.write(rest);
          client.pipe(upstream);
          upstream.pipe(client);
        });
        upstream.once('error', () => client.destroy());
        client.once('error', () => upstream.destroy());
        client.once('close', () => upstream.destroy());
        upstream.once('close', () => client.destroy());
      })
      .catch(() => client.destroy());
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve(server));
  });
}

/**
 * The test's end: a TCP listener on 127.0.0.1 whose every connection goes, through the relay
 * socket, to `host:port` inside the node. A connection the node cannot make is closed at once
 * (the relay has no way to say why; the node's own logs can).
 */
export function forwardThroughRelay(params: {
  socketPath: string;
  host: string;
  port: number;
}): Promise<{ port: number; close(): Promise<void> }> {
  const { socketPath, host, port } = params;
  const sockets = new Set<Socket>();
  const server = createServer({ allowHalfOpen: true }, (client) => {
    const relay = connect({ path: socketPath, allowHalfOpen: true });
    sockets.add(client).add(relay);
    relay.write(`${host}:${port}\n`);
    client.pipe(relay);
    relay.pipe(client);
    client.once('error', () => relay.destroy());
    relay.once('error', () => client.destroy());
    client.once('close', () => {
      relay.destroy();
      sockets.delete(client);
    });
    relay.once('close', () => {
      client.destroy();
      sockets.delete(relay);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (!address || typeof address === 'string') {
        reject(new Error('the forwarding listener has no TCP address'));
        return;
      }
      resolve({
        port: address.port,
        close: () =>
          new Promise<void>((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

function readHeader(client: Socket): Promise<{ host: string; port: number; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let received = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const newline = received.indexOf(0x0a);
      if (newline < 0) {
        if (received.length > maxHeaderBytes) fail(new Error('relay header too long'));
        return;
      }
      client.off('data', onData);
      client.pause();
      const header = received.subarray(0, newline).toString('utf8');
      const match = /^(.+):(\d{1,5})$/.exec(header);
      if (!match?.[1] || !match[2]) {
        fail(new Error(`relay header is not HOST:PORT: ${header}`));
        return;
      }
      resolve({ host: match[1], port: Number(match[2]), rest: received.subarray(newline + 1) });
    };
    const fail = (err: Error) => {
      client.off('data', onData);
      reject(err);
    };
    client.on('data', onData);
    client.once('end', () => fail(new Error('relay connection ended before its header')));
  });
}

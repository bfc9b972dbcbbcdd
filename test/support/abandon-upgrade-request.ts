import { connect } from 'node:net';

/**
 * Sends a WebSocket upgrade request for `path` over raw TCP and resets the connection at once,
 * as a client that crashes or a scanner that gives up would: the server's answer then meets a
 * connection that is gone.
 */
export async function abandonUpgradeRequest(options: { port: number; path: string }): Promise<void> {
  const socket = connect(options.port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  socket.write(
    [
      `GET ${options.path} HTTP/1.1`,
      'Host: 127.0.0.1',
      'Connection: Upgrade',
      'Upgrade: websocket',
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
      '',
      '',
    ].join('\r\n'),
  );
  socket.resetAndDestroy();
}

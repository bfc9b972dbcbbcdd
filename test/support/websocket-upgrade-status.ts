import WebSocket from 'ws';

/**
 * The HTTP status a WebSocket upgrade request gets: 101 when the server accepts it, otherwise
 * the refusal's status (401, 404…). An accepted socket is closed again at once.
 */
export function websocketUpgradeStatus(
  url: string,
  options: { headers?: Record<string, string> } = {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers: options.headers ?? {} });
    socket.once('unexpected-response', (_request, response) => {
      response.resume();
      socket.terminate();
      resolve(response.statusCode ?? 0);
    });
    socket.once('open', () => {
      socket.close();
      resolve(101);
    });
    socket.on('error', (err) => reject(err));
  });
}

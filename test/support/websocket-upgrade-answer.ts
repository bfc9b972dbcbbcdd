import WebSocket from 'ws';

/**
 * What a WebSocket upgrade request gets: 101 when the server accepts it (the socket is closed
 * again at once), otherwise the refusal's status, headers and JSON body (the error envelope).
 */
export function websocketUpgradeAnswer(
  url: string,
): Promise<{ status: number; body?: unknown; headers?: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('unexpected-response', (_request, response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      response.on('end', () => {
        socket.terminate();
        resolve({
          status: response.statusCode ?? 0,
          body: text === '' ? undefined : JSON.parse(text),
          headers: response.headers,
        });
      });
    });
    socket.once('open', () => {
      socket.close();
      resolve({ status: 101 });
    });
    socket.on('error', (err) => reject(err));
  });
}

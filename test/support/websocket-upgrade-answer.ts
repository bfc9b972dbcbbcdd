import WebSocket from 'ws';

/**
 * What a WebSocket upgrade request gets: 101 and the subprotocol the server chose when it accepts
 * it (the socket is closed again at once), otherwise the refusal's status, headers and JSON body
 * (the error envelope).
 */
export function websocketUpgradeAnswer(
  url: string,
  options: { headers?: Record<string, string>; protocols?: string[] } = {},
): Promise<{ status: number; body?: unknown; headers?: Record<string, unknown>; protocol?: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options.protocols ?? [], { headers: options.headers ?? {} });
    socket.once('unexpected-response', (_request, response) => {
      let text = '';
      response.on('data', (chunk: Buffer) => {
        text += chunk.toString();
      });
      response.on('end', () => {
        socket.terminate();
        resolve({
          status: response.statusCode ?? 0,
          body: bodyOf(text),
          headers: response.headers,
        });
      });
    });
    socket.once('open', () => {
      socket.close();
      resolve({ status: 101, protocol: socket.protocol });
    });
    socket.on('error', (err) => reject(err));
  });
}

/** The refusal's JSON envelope; a body that is not JSON comes back as its text, for the assertion to show. */
function bodyOf(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

import { connect } from 'node:net';

/**
 * Sends `text` as is on a fresh TCP connection to `url`'s host and port and returns everything
 * the server wrote until it closed: for requests no HTTP client would send (a broken request
 * line, headers past the server's limit).
 */
export function rawExchange(url: string, text: string): Promise<string> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    let answer = '';
    const socket = connect(Number(target.port), target.hostname, () => socket.end(text));
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readWholeBody, sendProviderRequest } from './send-provider-request.ts';

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/**
 * A server that answers the first request on each connection and then, like a server whose idle
 * timeout fires just as a pooled connection is reused, resets that connection when a second
 * request arrives on it.
 */
async function serveOneRequestPerConnection(): Promise<{ url: URL; requests: () => number; resets: () => number }> {
  const served = new WeakSet<Socket>();
  let requests = 0;
  let resets = 0;
  server = createServer((request, response) => {
    requests += 1;
    if (served.has(request.socket)) {
      resets += 1;
      request.socket.resetAndDestroy();
      return;
    }
    served.add(request.socket);
    request.resume();
    request.on('end', () => response.end(`answer ${requests}`));
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/chat/completions`);
  return { url, requests: () => requests, resets: () => resets };
}

async function call(url: URL): Promise<string> {
  const response = await sendProviderRequest(url, { method: 'POST', headers: {}, body: '{}' });
  return (await readWholeBody(response, undefined)).toString('utf8');
}

describe('sendProviderRequest on a pooled connection the server closed', () => {
  it('sends the request once more on a new connection when a reused socket is reset before any answer', async () => {
    const fake = await serveOneRequestPerConnection();

    expect(await call(fake.url)).toBe('answer 1');
    // The first call's socket went back to the pool; the second reuses it, is reset, and is resent.
    expect(await call(fake.url)).toBe('answer 3');

    expect(fake.resets()).toBe(1);
    expect(fake.requests()).toBe(3);
  });

  it('does not resend a request whose new connection fails: that is fetch failed', async () => {
    server = createServer((request) => request.socket.resetAndDestroy());
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/x`);
    let attempts = 0;
    server.on('request', () => {
      attempts += 1;
    });

    await expect(call(url)).rejects.toThrow('fetch failed');
    expect(attempts).toBe(1);
  });
});

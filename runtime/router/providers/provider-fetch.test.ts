import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { providerFetch } from './provider-fetch.ts';

type Handler = (request: IncomingMessage, body: string, response: ServerResponse) => void;

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** A real HTTP server answering every request with `handle`; resolves with its base URL. */
async function serve(handle: Handler): Promise<string> {
  server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => handle(request, body, response));
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('providerFetch, the fetch model calls go through', () => {
  it('sends the method, headers and body, and answers JSON with the status and headers as fetch does', async () => {
    let received: { method?: string; auth?: string; body?: string } = {};
    const base = await serve((request, body, response) => {
      received = { method: request.method, auth: request.headers.authorization, body };
      response.writeHead(201, { 'content-type': 'application/json', 'x-request-id': 'req_1' });
      response.end('{"ok":true}');
    });

    const response = await providerFetch(`${base}/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-test', 'content-type': 'application/json' },
      body: '{"model":"m"}',
    });

    expect(received).toEqual({ method: 'POST', auth: 'Bearer sk-test', body: '{"model":"m"}' });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-request-id')).toBe('req_1');
    expect(await response.json()).toEqual({ ok: true });
  });

  it('streams a server-sent event body as it arrives, before the server has finished', async () => {
    let finish: () => void = () => {};
    const base = await serve((_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: one\n\n');
      finish = () => response.end('data: two\n\n');
    });

    const response = await providerFetch(`${base}/stream`, { method: 'POST', body: '{}' });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    finish();
    let rest = '';
    for (let part = await reader.read(); !part.done; part = await reader.read()) rest += Buffer.from(part.value);

    expect(Buffer.from(first.value as Uint8Array).toString()).toBe('data: one\n\n');
    expect(rest).toBe('data: two\n\n');
  });

  it('rejects with the signal’s reason when the call is aborted before the answer', async () => {
    const controller = new AbortController();
    const base = await serve(() => controller.abort(new Error('the run timed out')));

    await expect(
      providerFetch(`${base}/slow`, { method: 'POST', body: '{}', signal: controller.signal }),
    ).rejects.toThrow('the run timed out');
  });

  it('errors a streamed body with the signal’s reason when the call is aborted mid-stream', async () => {
    const controller = new AbortController();
    const base = await serve((_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: one\n\n');
    });

    const response = await providerFetch(`${base}/stream`, { method: 'POST', body: '{}', signal: controller.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    controller.abort(new Error('the caller left'));

    await expect(reader.read()).rejects.toThrow('the caller left');
  });

  it('fails a refused connection as fetch does: TypeError "fetch failed" with the socket error as its cause', async () => {
    const base = await serve(() => {});
    server?.close();
    await new Promise((resolve) => server?.once('close', resolve));

    const failure = await providerFetch(`${base}/x`, { method: 'POST', body: '{}' }).catch((err: unknown) => err);

    expect(failure).toBeInstanceOf(TypeError);
    expect((failure as TypeError).message).toBe('fetch failed');
    expect(((failure as TypeError).cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  it('errors a body the connection cut short with TypeError "terminated", as fetch does', async () => {
    const base = await serve((_request, _body, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      response.write('{"partial":');
      setImmediate(() => response.socket?.destroy());
    });

    const failure = await providerFetch(`${base}/x`, { method: 'POST', body: '{}' }).catch((err: unknown) => err);

    expect(failure).toBeInstanceOf(TypeError);
    expect((failure as TypeError).message).toBe('terminated');
  });

  it('follows a redirect, as fetch does', async () => {
    const base = await serve((request, _body, response) => {
      if (request.url === '/old') {
        response.writeHead(307, { location: '/new' }).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ url: request.url }));
    });

    const response = await providerFetch(`${base}/old`, { method: 'POST', body: '{}' });

    expect(await response.json()).toEqual({ url: '/new' });
  });
});

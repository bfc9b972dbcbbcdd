import { describe, expect, it } from 'vitest';
import { runTool } from '../test-support/a-tool-context.ts';
import { replyJson, startFakeHttpServer } from '../test-support/start-fake-http-server.ts';
import { httpRequest } from './http-request.ts';

const loopbackAllowed = { allow_localhost: true };

describe('http_request', () => {
  it('returns the status, headers and parsed JSON body', async () => {
    const api = await startFakeHttpServer((_, response) => replyJson(response, 200, { id: 7 }));

    const result = await runTool(
      httpRequest,
      { method: 'GET', url: `${api.url}/items/7` },
      { config: loopbackAllowed },
    );

    expect(result).toMatchObject({
      status_code: 200,
      headers: { 'content-type': 'application/json' },
      body: { id: 7 },
      url: `${api.url}/items/7`,
    });
  });

  it('sends an object body as JSON with the given headers', async () => {
    const api = await startFakeHttpServer((_, response) => response.writeHead(201).end());

    await runTool(
      httpRequest,
      { method: 'POST', url: `${api.url}/items`, headers: { 'X-Trace': 'abc' }, body: { name: 'widget' } },
      { config: loopbackAllowed },
    );

    expect(api.requests[0]).toMatchObject({
      method: 'POST',
      headers: { 'x-trace': 'abc', 'content-type': 'application/json' },
      body: '{"name":"widget"}',
    });
  });

  it('returns a text body as a string', async () => {
    const api = await startFakeHttpServer((_, response) => response.end('plain words'));

    const result = await runTool(httpRequest, { method: 'GET', url: api.url }, { config: loopbackAllowed });

    expect(result).toMatchObject({ body: 'plain words' });
  });

  it('returns an error status as data for the model to read', async () => {
    const api = await startFakeHttpServer((_, response) => replyJson(response, 404, { error: 'no such item' }));

    const result = await runTool(httpRequest, { method: 'DELETE', url: api.url }, { config: loopbackAllowed });

    expect(result).toMatchObject({ status_code: 404, body: { error: 'no such item' } });
  });

  it('refuses a loopback URL without allow_localhost', async () => {
    const api = await startFakeHttpServer();

    const running = runTool(httpRequest, { method: 'GET', url: api.url });

    await expect(running).rejects.toMatchObject({ code: 'refused' });
    expect(api.requests).toEqual([]);
  });

  it('fails with timeout after timeout_seconds', async () => {
    const api = await startFakeHttpServer(() => {});

    const running = runTool(
      httpRequest,
      { method: 'GET', url: api.url },
      { config: { ...loopbackAllowed, timeout_seconds: 0.2 } },
    );

    await expect(running).rejects.toMatchObject({ code: 'timeout' });
  });

  it('refuses a response larger than max_response_bytes', async () => {
    const api = await startFakeHttpServer((_, response) => response.end('x'.repeat(100)));

    const running = runTool(
      httpRequest,
      { method: 'GET', url: api.url },
      { config: { ...loopbackAllowed, max_response_bytes: 10 } },
    );

    await expect(running).rejects.toMatchObject({
      code: 'failed',
      message: expect.stringMatching(/max_response_bytes/),
    });
  });

  it('rejects a body on a GET request', () => {
    const parsed = httpRequest.inputSchema.safeParse({ method: 'GET', url: 'https://example.com', body: 'x' });

    expect(parsed.error?.issues[0]?.path).toEqual(['body']);
  });
});

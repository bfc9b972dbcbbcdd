import { afterEach, describe, expect, it } from 'vitest';
import { jsonOf } from '../support/json-of.ts';
import { type InProcessApi, startApiInProcess } from '../support/start-api-in-process.ts';

describe('the error envelope, on every failure path', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function anApi(): Promise<InProcessApi> {
    const api = await startApiInProcess();
    cleanups.push(() => api.stop());
    return api;
  }

  const postJson = (body: string): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });

  it.each(['/api/v1/no-such-thing', '/api/v1/orgs/acme/agents/bot/no-such-action', '/not-the-api'])(
    'answers an unknown route (%s) with 404 not_found',
    async (path) => {
      const { url } = await anApi();

      const response = await fetch(`${url}${path}`);

      expect(response.status).toBe(404);
      expect(await jsonOf(response)).toEqual({ error: 'not_found', message: `no route for GET ${path}`, status: 404 });
    },
  );

  it('answers a wrong method with 405 method_not_allowed and the allowed methods in Allow', async () => {
    const { url } = await anApi();

    const response = await fetch(`${url}/api/v1/auth/dev/login`, { method: 'DELETE' });

    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST');
    expect(await jsonOf(response)).toMatchObject({ error: 'method_not_allowed', status: 405 });
  });

  it('answers malformed JSON with 400 invalid_request, without echoing the body', async () => {
    const { url } = await anApi();

    const response = await fetch(`${url}/api/v1/auth/dev/login`, postJson('{"email": "sk-secret-looking'));
    const body = await jsonOf(response);

    expect(response.status).toBe(400);
    expect(body).toMatchObject({ error: 'invalid_request', status: 400 });
    expect(body.message).toMatch(/^body: not valid JSON at position \d+$/);
    expect(body.message).not.toContain('sk-secret-looking');
  });

  it('answers a body over the 1 MB limit with 413 payload_too_large', async () => {
    const { url } = await anApi();
    const oversized = JSON.stringify({ email: 'a@example.com', name: 'x'.repeat(1_100_000) });

    const response = await fetch(`${url}/api/v1/auth/dev/login`, postJson(oversized));

    expect(response.status).toBe(413);
    expect(await jsonOf(response)).toMatchObject({ error: 'payload_too_large', status: 413 });
  });

  it.each(['google', 'github'])('answers the %s OAuth stub with 501 not_implemented', async (provider) => {
    const { url } = await anApi();

    const response = await fetch(`${url}/api/v1/auth/${provider}`, postJson('{}'));

    expect(response.status).toBe(501);
    expect(await jsonOf(response)).toMatchObject({ error: 'not_implemented', status: 501 });
  });

  it('answers an internal failure (its database gone) with an opaque 500 and a request id the log shares', async () => {
    const api = await anApi();
    await api.database.drop();

    const response = await fetch(`${api.url}/api/v1/auth/dev/login`, postJson('{"email": "a@example.com"}'));
    const body = await jsonOf(response);
    const requestId = response.headers.get('x-request-id');

    expect(response.status).toBe(500);
    expect(body).toEqual({
      error: 'internal_error',
      message: `Internal error; quote request id ${requestId} when reporting it`,
      status: 500,
      request_id: requestId,
    });
    expect(JSON.stringify(body)).not.toMatch(/database|astromesh_test|postgres/i);
    expect(api.logs()).toContainEqual(
      expect.objectContaining({ level: 50, msg: 'request failed', requestId, err: expect.any(Object) }),
    );
  });

  it('keeps a well-formed X-Request-Id from the caller on errors too', async () => {
    const { url } = await anApi();

    const response = await fetch(`${url}/api/v1/nowhere`, { headers: { 'x-request-id': 'trace-1234abcd' } });

    expect(response.headers.get('x-request-id')).toBe('trace-1234abcd');
  });
});

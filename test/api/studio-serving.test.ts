import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from '../support/raw-request.ts';
import { startTestApi, type TestApi } from '../support/start-test-api.ts';

const studioCsp =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

// Studio is served by the API itself (DESIGN.md decision 11). A build of our own here, so the
// test says what is served without depending on studio/dist.
describe('Studio, served by the Cloud API at /studio', () => {
  let api: TestApi;
  let emptyApi: TestApi;
  const studioDir = mkdtempSync(join(tmpdir(), 'astromesh-studio-'));
  const notBuiltDir = mkdtempSync(join(tmpdir(), 'astromesh-studio-missing-'));

  beforeAll(async () => {
    mkdirSync(join(studioDir, 'assets'));
    writeFileSync(join(studioDir, 'index.html'), '<!doctype html><title>Studio</title>');
    writeFileSync(join(studioDir, 'assets/index-abc123.js'), 'export {};');
    writeFileSync(join(studioDir, '.source-hash'), 'not for browsers');
    [api, emptyApi] = await Promise.all([startTestApi({ studioDir }), startTestApi({ studioDir: notBuiltDir })]);
  });
  afterAll(async () => {
    await Promise.all([api?.stop(), emptyApi?.stop()]);
    rmSync(studioDir, { recursive: true, force: true });
    rmSync(notBuiltDir, { recursive: true, force: true });
  });

  const get = (base: TestApi, path: string) => fetch(`${base.url}${path}`, { redirect: 'manual' });

  it.each(['/', '/studio'])('redirects %s to /studio/', async (path) => {
    const response = await get(api, path);

    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/studio/');
  });

  it.each(['/studio/', '/studio/agents', '/studio/agents/support-bot/edit'])(
    'answers the client route %s with index.html, revalidated each load, under the strict CSP',
    async (path) => {
      const response = await get(api, path);

      expect(response.status).toBe(200);
      expect(await response.text()).toBe('<!doctype html><title>Studio</title>');
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expect(response.headers.get('content-security-policy')).toBe(studioCsp);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    },
  );

  it('serves a hashed asset as immutable, with its type', async () => {
    const response = await get(api, '/studio/assets/index-abc123.js');

    expect(response.status).toBe(200);
    expect(await response.text()).toBe('export {};');
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(response.headers.get('content-security-policy')).toBe(studioCsp);
  });

  it.each(['/studio/assets/missing.js', '/studio/assets/%2e%2e/%2e%2e/package.json', '/studio/assets/'])(
    'answers %s with the 404 envelope',
    async (path) => {
      const response = await get(api, path);

      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: 'not_found', status: 404 });
    },
  );

  it('serves nothing outside the build, even for a path that climbs out of it as sent', async () => {
    const answers = await Promise.all(
      ['/studio/assets/../../../package.json', '/studio/assets/../.source-hash'].map((path) =>
        rawRequest(`${api.url}${path}`),
      ),
    );

    expect(answers.map(({ status }) => status)).toEqual([404, 404]);
    expect(answers.map(({ text }) => text).join('\n')).not.toMatch(/astromesh-cloud|not for browsers/);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const answer = await rawRequest(`${api.url}/studio/assets/index-abc123.js`, { method: 'HEAD' });

    expect(answer.status).toBe(200);
    expect(answer.headers['content-length']).toBe('10');
    expect(answer.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(answer.text).toBe('');
  });

  it('leaves the API routes to the API', async () => {
    const response = await get(api, '/api/v1/orgs/me');

    expect(response.status).toBe(401);
    expect(response.headers.get('content-security-policy')).toBeNull();
  });

  it('answers 503 with a page naming the build command when Studio is not built', async () => {
    const response = await get(emptyApi, '/studio/agents');

    expect(response.status).toBe(503);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(studioCsp);
    expect(await response.text()).toContain('Run <code>npm run studio:build</code>');
  });
});

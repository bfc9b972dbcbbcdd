import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeReply } from '../fakes/fake-reply.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { devLogin } from '../support/dev-login.ts';
import { jsonOf } from '../support/json-of.ts';
import { openAgentSocket } from '../support/open-agent-socket.ts';
import { rawExchange } from '../support/raw-exchange.ts';
import { rawRequest } from '../support/raw-request.ts';
import { spawnApiMain } from '../support/spawn-api-main.ts';
import { startSignedInTestApi } from '../support/start-test-api.ts';
import { createTestDatabase } from '../support/test-database.ts';
import { websocketUpgradeAnswer } from '../support/websocket-upgrade-answer.ts';

const post = (body: unknown): RequestInit => ({ method: 'POST', body: JSON.stringify(body) });
const aSupportBot = { name: 'support-bot', step1: { model: 'openai/gpt-4o-mini' } };
const nulRefusal = 'must not contain NUL (U+0000)';

/** `{"a":{"a":…1…}}`, `levels` objects deep, as text. */
const nestedJson = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const tooDeep = `nested deeper than 32 levels`;
// Issue 10's reproduction: about 10 KB, its context nested 5,000 levels (arrays: 2 bytes a level).
const deepRunBody = `{"query": "hi", "context": {"a": ${'['.repeat(5000)}${']'.repeat(5000)}}}`;
const deepContextField = `context.a${'[0]'.repeat(30)}`;

describe('hostile input to the Cloud API', { timeout: 120_000 }, () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  describe('the two crash reproductions of issue 10, against the API as a process', () => {
    /** `node api/main.ts` on a database of its own, an org signed in, support-bot deployed on a fake. */
    async function aRunningApiWithADeployedAgent() {
      const database = await createTestDatabase();
      cleanups.push(() => database.drop());
      const stateDir = mkdtempSync(join(tmpdir(), 'astromesh-hostile-'));
      cleanups.push(() => rmSync(stateDir, { recursive: true, force: true }));
      const fake = await startFakeProvider('openai', { defaultReply: fakeReply.text('Still here.') });
      cleanups.push(() => fake.close());
      const api = spawnApiMain({
        env: {
          DATABASE_URL: database.url,
          ASTROMESH_STATE_DIR: stateDir,
          PORT: '0',
          ASTROMESH_JWT_SECRET: randomBytes(48).toString('base64'),
          ASTROMESH_MASTER_KEY: randomBytes(32).toString('base64'),
        },
      });
      cleanups.push(() => api.stop());
      const url = String((await api.waitForLog('astromesh api listening')).url);
      const login = await devLogin(url, 'owner@example.com');
      const as = (path: string, init: RequestInit = {}) =>
        fetch(`${url}/api/v1/orgs/${login.org}${path}`, {
          ...init,
          headers: { authorization: `Bearer ${login.token}`, 'content-type': 'application/json' },
        });
      await as('/providers', post({ provider: 'openai', api_key: 'sk-test-key', base_url: fake.baseUrl }));
      await as('/agents', post(aSupportBot));
      expect((await as('/agents/support-bot/deploy', post({}))).status).toBe(200);
      const streamPath = `/api/v1/orgs/${login.org}/agents/support-bot/stream?token=${login.token}`;
      return { api, url, as, streamPath };
    }

    it('answers a WebSocket upgrade whose path holds a broken %-escape with 400, and keeps serving', async () => {
      const { api, url, as } = await aRunningApiWithADeployedAgent();

      const answer = await websocketUpgradeAnswer(`${url.replace(/^http/, 'ws')}/api/v1/orgs/%E0%A4%A/agents/x/stream`);
      // A target node:http takes but no URL parser does.
      const unparsable = await websocketUpgradeAnswer(`${url.replace(/^http/, 'ws')}//`);
      const run = await as('/agents/support-bot/run', post({ query: 'Are you there?' }));

      expect({ status: answer.status, body: answer.body }).toEqual({
        status: 400,
        body: {
          error: 'invalid_request',
          message: 'slug: not valid percent-encoding (UTF-8 escapes such as %C3%A9)',
          status: 400,
        },
      });
      expect(unparsable).toMatchObject({ status: 400, body: { message: 'path: not a valid request target' } });
      expect(await jsonOf(run)).toMatchObject({ answer: 'Still here.' });
      expect(api.child.exitCode).toBeNull();
    });

    it('answers a context nested 5,000 levels with 400 naming the field on the stream, /run and /test', async () => {
      const { api, url, as, streamPath } = await aRunningApiWithADeployedAgent();
      const body = deepRunBody;
      const socket = await openAgentSocket(url, { path: streamPath });
      cleanups.push(() => socket.close());

      socket.send(body);
      const streamed = await socket.next();
      const run = await as('/agents/support-bot/run', { method: 'POST', body });
      const test = await as('/agents/support-bot/test', { method: 'POST', body });
      socket.send({ query: 'And now a normal one' });
      const afterwards = await socket.untilEnd();
      const normalRun = await as('/agents/support-bot/run', post({ query: 'Are you there?' }));

      const refusal = { error: 'invalid_request', message: `${deepContextField}: ${tooDeep}`, status: 400 };
      expect(body.length).toBeLessThan(11_000);
      expect(streamed).toEqual({ type: 'error', ...refusal });
      expect(run.status).toBe(400);
      expect(await jsonOf(run)).toEqual(refusal);
      expect(await jsonOf(test)).toEqual(refusal);
      expect(afterwards.at(-1)).toMatchObject({ type: 'done', answer: 'Still here.' });
      expect(await jsonOf(normalRun)).toMatchObject({ answer: 'Still here.' });
      expect(api.child.exitCode).toBeNull();
    });
  });

  describe('a NUL (U+0000) in text the API would store', () => {
    it.each([
      {
        field: 'the dev-login name',
        path: '/auth/dev/login',
        body: { email: 'a@example.com', name: 'A\u0000B' },
        named: 'name',
      },
      { field: 'an API key name', path: 'org:/keys', body: { name: 'ci\u0000' }, named: 'name' },
      {
        field: 'an agent display name',
        path: 'org:/agents',
        body: { ...aSupportBot, display_name: 'Bot\u0000' },
        named: 'display_name',
      },
      {
        field: 'a system prompt',
        path: 'org:/agents',
        body: { ...aSupportBot, step2: { system_prompt: 'Be\u0000kind' } },
        named: 'step2.system_prompt',
      },
      { field: 'a run query', path: 'org:/agents/support-bot/run', body: { query: 'hi\u0000' }, named: 'query' },
      { field: 'a key of the body', path: 'org:/keys', body: { 'na\u0000me': 'ci' }, named: 'na\\u0000me' },
    ])('refuses $field with 400 naming $named, and stores nothing', async ({ path, body, named }) => {
      const { api, token, as } = await startSignedInTestApi((stop) => cleanups.push(stop));

      const response = path.startsWith('org:')
        ? await as(path.slice('org:'.length), post(body))
        : await api.request(path, { ...post(body), token });
      const keys = await jsonOf(await as('/keys'));
      const agents = await jsonOf(await as('/agents'));

      expect(response.status).toBe(400);
      expect(await jsonOf(response)).toEqual({
        error: 'invalid_request',
        message: expect.stringMatching(
          new RegExp(`^${named.replaceAll('\\', '\\\\')}: (its key )?${nulRefusal.replace(/[()+]/g, '\\$&')}$`),
        ),
        status: 400,
      });
      expect(keys.keys ?? keys).toHaveLength(0);
      expect(agents.agents ?? agents).toHaveLength(0);
    });

    it('refuses an org display name with a NUL in PATCH with 400 naming display_name', async () => {
      const { as } = await startSignedInTestApi((stop) => cleanups.push(stop));

      const response = await as('', { method: 'PATCH', body: JSON.stringify({ display_name: 'Acme\u0000' }) });

      expect(await jsonOf(response)).toEqual({
        error: 'invalid_request',
        message: `display_name: ${nulRefusal}`,
        status: 400,
      });
    });

    it('refuses a NUL in a path segment, a query string and a stream message with 400', async () => {
      const { api, org, token, as } = await startSignedInTestApi((stop) => cleanups.push(stop));
      await as('/agents', post(aSupportBot));

      const inPath = await rawRequest(`${api.url}/api/v1/orgs/a%00b/agents`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const inQuery = await as('/usage?days=%00');
      const upgrade = await websocketUpgradeAnswer(
        `${api.url.replace(/^http/, 'ws')}/api/v1/orgs/${org}/agents/bot%00/stream`,
      );
      const socket = await openAgentSocket(api.url, {
        path: `/api/v1/orgs/${org}/agents/support-bot/stream?token=${token}`,
      });
      cleanups.push(() => socket.close());
      socket.send({ query: 'hi\u0000' });

      expect(inPath.json()).toEqual({ error: 'invalid_request', message: `path: ${nulRefusal}`, status: 400 });
      expect(await jsonOf(inQuery)).toEqual({
        error: 'invalid_request',
        message: `query.days: ${nulRefusal}`,
        status: 400,
      });
      expect({ status: upgrade.status, body: upgrade.body }).toEqual({
        status: 400,
        body: { error: 'invalid_request', message: `name: ${nulRefusal}`, status: 400 },
      });
      expect(await socket.next()).toEqual({
        type: 'error',
        error: 'invalid_request',
        message: `query: ${nulRefusal}`,
        status: 400,
      });
    });
  });

  describe('bodies, encodings, escapes and methods', () => {
    const login = (api: { url: string }, body: string | Buffer, headers: Record<string, string> = {}) =>
      rawRequest(`${api.url}/api/v1/auth/dev/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });

    it('refuses a body nested 5,000 levels on any route with 400 naming the field', async () => {
      const { as } = await startSignedInTestApi((stop) => cleanups.push(stop));

      const response = await as('/agents', { method: 'POST', body: `{"name": "bot", "step1": ${nestedJson(5000)}}` });

      expect(await jsonOf(response)).toEqual({
        error: 'invalid_request',
        message: `step1${'.a'.repeat(31)}: ${tooDeep}`,
        status: 400,
      });
    });

    it('refuses a __proto__ key with 400 naming it, wherever it is', async () => {
      const { api } = await startSignedInTestApi((stop) => cleanups.push(stop));

      const topLevel = await login(api, '{"email": "a@example.com", "__proto__": {"admin": true}}');
      const nested = await login(api, '{"email": "a@example.com", "profile": {"__proto__": {"admin": true}}}');

      expect(topLevel.json()).toEqual({
        error: 'invalid_request',
        message: '__proto__: this key is not allowed',
        status: 400,
      });
      expect(nested.json()).toMatchObject({ message: 'profile.__proto__: this key is not allowed', status: 400 });
    });

    it('reads a gzip body, refuses one that is not gzip with 400 and an unknown encoding with 415', async () => {
      const { api } = await startSignedInTestApi((stop) => cleanups.push(stop));
      const body = JSON.stringify({ email: 'zipped@example.com' });

      const gzipped = await login(api, gzipSync(body), { 'content-encoding': 'gzip' });
      const garbage = await login(api, body, { 'content-encoding': 'gzip' });
      const unknown = await login(api, body, { 'content-encoding': 'compress' });

      expect(gzipped.status).toBe(200);
      expect(garbage.json()).toEqual({
        error: 'invalid_request',
        message: 'body: not valid gzip data (incorrect header check)',
        status: 400,
      });
      expect(unknown.status).toBe(415);
      expect(unknown.json()).toMatchObject({ error: 'unsupported_media_type', status: 415 });
    });

    it('refuses a gzip body that inflates past the 1 MB limit with 413', async () => {
      const { api } = await startSignedInTestApi((stop) => cleanups.push(stop));
      const bomb = gzipSync(JSON.stringify({ email: 'a@example.com', name: 'x'.repeat(20_000_000) }));

      const response = await login(api, bomb, { 'content-encoding': 'gzip' });

      expect(bomb.length).toBeLessThan(100_000);
      expect(response.status).toBe(413);
      expect(response.json()).toMatchObject({ error: 'payload_too_large', status: 413 });
    });

    it('refuses a broken %-escape in a path or a query string with 400', async () => {
      const { api, token, as } = await startSignedInTestApi((stop) => cleanups.push(stop));

      const inPath = await rawRequest(`${api.url}/api/v1/orgs/%E0%A4%A/agents`, {
        headers: { authorization: `Bearer ${token}` },
      });
      const inQuery = await as('/usage?days=%E0%A4%A');

      expect(inPath.json()).toEqual({
        error: 'invalid_request',
        message: 'path: not valid percent-encoding (UTF-8 escapes such as %C3%A9)',
        status: 400,
      });
      expect(await jsonOf(inQuery)).toMatchObject({
        message: expect.stringMatching(/^query\.days: not valid percent-encoding/),
      });
    });

    it('answers an unknown method with 405 and the path methods in Allow, or 404 on an unknown path', async () => {
      const { api } = await startSignedInTestApi((stop) => cleanups.push(stop));

      const trace = await rawRequest(`${api.url}/api/v1/auth/dev/login`, { method: 'TRACE' });
      const propfind = await rawRequest(`${api.url}/api/v1/orgs/acme/agents`, { method: 'PROPFIND' });
      const unknownPath = await rawRequest(`${api.url}/api/v1/nowhere`, { method: 'PROPFIND' });
      const probe = await rawRequest(`${api.url}/healthz`, { method: 'TRACE' });

      expect(trace.status).toBe(405);
      expect(trace.headers.allow).toBe('POST');
      expect(trace.json()).toMatchObject({ error: 'method_not_allowed', status: 405 });
      expect(propfind.status).toBe(405);
      expect(propfind.headers.allow).toBe('HEAD, GET, POST');
      expect(unknownPath.status).toBe(404);
      expect(unknownPath.json()).toMatchObject({ error: 'not_found', status: 404 });
      expect([probe.status, probe.headers.allow]).toEqual([405, 'HEAD, GET']);
    });

    it('answers what node:http refuses itself (a broken request line, headers past 16 KB) with the envelope', async () => {
      const { api } = await startSignedInTestApi((stop) => cleanups.push(stop));

      const garbage = await rawExchange(api.url, 'GARBAGE\r\n\r\n');
      const hugeHeaders = await rawExchange(
        api.url,
        `GET /healthz HTTP/1.1\r\nHost: a\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      );

      expect(garbage).toMatch(/^HTTP\/1\.1 400 /);
      expect(JSON.parse(garbage.split('\r\n\r\n')[1] ?? '')).toMatchObject({ error: 'invalid_request', status: 400 });
      expect(hugeHeaders).toMatch(/^HTTP\/1\.1 431 /);
      expect(JSON.parse(hugeHeaders.split('\r\n\r\n')[1] ?? '')).toMatchObject({
        error: 'headers_too_large',
        status: 431,
      });
    });
  });

  describe('the headers and query strings it reads', () => {
    it('answers hostile credentials with 401 and replaces a malformed X-Request-Id', async () => {
      const { api, org, token } = await startSignedInTestApi((stop) => cleanups.push(stop));
      const agents = `${api.url}/api/v1/orgs/${org}/agents`;

      const answers = await Promise.all([
        rawRequest(agents, { headers: { 'x-api-key': 'ask-\u00ff\u00fe' } }),
        rawRequest(agents, { headers: { 'x-api-key': `ask-${'x'.repeat(12_000)}` } }),
        rawRequest(agents, { headers: { authorization: 'Bearer \u00ff.\u00fe.x' } }),
        rawRequest(agents, { headers: { authorization: 'Basic YTpi' } }),
      ]);
      const traced = await rawRequest(agents, {
        headers: { authorization: `Bearer ${token}`, 'x-request-id': 'a\u00ffb;drop table' },
      });

      expect(answers.map((answer) => answer.status)).toEqual([401, 401, 401, 401]);
      expect(traced.status).toBe(200);
      expect(traced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('answers a repeated, huge or numerous query parameter with 400 or the default, never a 500', async () => {
      const { as } = await startSignedInTestApi((stop) => cleanups.push(stop));
      const manyKeys = Array.from({ length: 1500 }, (_, index) => `k${index}=1`).join('&');

      const repeated = await as('/usage?days=1&days=2');
      const huge = await as(`/usage?days=${'9'.repeat(5000)}`);
      const numerous = await as(`/usage?${manyKeys}`);

      expect([repeated.status, huge.status, numerous.status]).toEqual([400, 400, 200]);
      expect(await jsonOf(repeated)).toMatchObject({ message: expect.stringMatching(/^days: /) });
    });
  });
});

import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fakeReply } from '../fakes/fake-reply.ts';
import { jsonOf } from '../support/json-of.ts';
import { openAgentSocket } from '../support/open-agent-socket.ts';
import { rawExchange } from '../support/raw-exchange.ts';
import { rawRequest } from '../support/raw-request.ts';
import { startAstromeshdProcess } from '../support/start-astromeshd-process.ts';
import { agentYaml, startRuntimeOnFakeOpenAi, type TestRuntime } from '../support/start-test-runtime.ts';
import { websocketUpgradeAnswer } from '../support/websocket-upgrade-answer.ts';
import { useRuntimeTestKit } from './use-runtime-test-kit.ts';

const assistant = agentYaml('assistant', { model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } } });
const nulRefusal = 'must not contain NUL (U+0000)';
// Issue 10's reproduction: about 10 KB, its context nested 5,000 levels (arrays: 2 bytes a level).
const deepRunBody = `{"query": "hi", "context": {"a": ${'['.repeat(5000)}${']'.repeat(5000)}}}`;
const deepRefusal = {
  error: 'invalid_request',
  message: `context.a${'[0]'.repeat(30)}: nested deeper than 32 levels`,
  status: 400,
};

describe('hostile input to astromeshd', { timeout: 60_000 }, () => {
  const { cleanups, startFake } = useRuntimeTestKit();

  describe('the crash reproductions of issue 10, against astromeshd as a process', () => {
    async function aRunningAstromeshd() {
      const fake = await startFake('openai', { defaultReply: fakeReply.text('Still here.') });
      const { astromeshd, url } = await startAstromeshdProcess(
        {
          agents: { 'assistant.yaml': assistant },
          credentials: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: fake.baseUrl },
        },
        (cleanup) => cleanups.push(cleanup),
      );
      const run = (body: string) =>
        fetch(`${url}/v1/agents/assistant/run`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
      return { astromeshd, url, run };
    }

    it('answers a WebSocket upgrade whose path holds a broken %-escape with 400, and keeps serving', async () => {
      const { astromeshd, url, run } = await aRunningAstromeshd();

      const answer = await websocketUpgradeAnswer(`${url.replace(/^http/, 'ws')}/v1/ws/agent/%E0%A4%A`);
      // A target node:http takes but no URL parser does.
      const unparsable = await websocketUpgradeAnswer(`${url.replace(/^http/, 'ws')}//`);
      const afterwards = await run('{"query": "Are you there?"}');

      expect({ status: answer.status, body: answer.body }).toEqual({
        status: 400,
        body: {
          error: 'invalid_request',
          message: 'path: not valid percent-encoding (UTF-8 escapes such as %C3%A9)',
          status: 400,
        },
      });
      expect(unparsable).toMatchObject({ status: 400, body: { message: 'path: not a valid request target' } });
      expect(await jsonOf(afterwards)).toMatchObject({ response: 'Still here.' });
      expect(astromeshd.child.exitCode).toBeNull();
    });

    it('answers a context nested 5,000 levels with 400 naming the field on the socket and /run', async () => {
      const { astromeshd, url, run } = await aRunningAstromeshd();
      const socket = await openAgentSocket(url, { agent: 'assistant' });
      cleanups.push(() => socket.close());

      socket.send(deepRunBody);
      const streamed = await socket.next();
      const refused = await run(deepRunBody);
      socket.send({ query: 'And now a normal one' });
      const afterwards = await socket.untilEnd();

      expect(deepRunBody.length).toBeLessThan(11_000);
      expect(streamed).toEqual({ type: 'error', ...deepRefusal });
      expect(refused.status).toBe(400);
      expect(await jsonOf(refused)).toEqual(deepRefusal);
      expect(afterwards.at(-1)).toMatchObject({ type: 'done', response: 'Still here.' });
      expect(astromeshd.child.exitCode).toBeNull();
    });
  });

  describe('its /v1 HTTP API and WebSocket', () => {
    async function aRuntime(): Promise<TestRuntime> {
      const { runtime } = await startRuntimeOnFakeOpenAi(cleanups, { agents: { 'assistant.yaml': assistant } });
      return runtime;
    }

    const post = (runtime: TestRuntime, path: string, body: string | Buffer, headers: Record<string, string> = {}) =>
      rawRequest(`${runtime.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });

    it.each([
      { where: 'a run query', path: '/v1/agents/assistant/run', body: { query: 'hi\u0000' }, named: 'query' },
      {
        where: 'a run context',
        path: '/v1/agents/assistant/run',
        body: { query: 'hi', context: { user_name: 'Ann\u0000' } },
        named: 'context.user_name',
      },
      {
        where: 'a tool input',
        path: '/v1/tools/execute',
        body: { tool: 'calculator', input: { expression: '1\u0000' } },
        named: 'input.expression',
      },
    ])('refuses a NUL in $where with 400 naming $named', async ({ path, body, named }) => {
      const runtime = await aRuntime();

      const response = await post(runtime, path, JSON.stringify(body));

      expect(response.json()).toEqual({ error: 'invalid_request', message: `${named}: ${nulRefusal}`, status: 400 });
    });

    it('refuses a NUL in a memory route path and in a stream message with 400', async () => {
      const runtime = await aRuntime();
      const socket = await openAgentSocket(runtime.url, { agent: 'assistant' });
      cleanups.push(() => socket.close());

      const history = await rawRequest(`${runtime.url}/v1/memory/assistant/history/sess%00ion`);
      socket.send({ query: 'hi\u0000' });

      expect(history.json()).toEqual({ error: 'invalid_request', message: `path: ${nulRefusal}`, status: 400 });
      expect(await socket.next()).toEqual({
        type: 'error',
        error: 'invalid_request',
        message: `query: ${nulRefusal}`,
        status: 400,
      });
    });

    it('refuses a deep body on the tool route and a __proto__ key with 400 naming the field', async () => {
      const runtime = await aRuntime();
      const deepInput = `{"tool": "calculator", "input": {"x": ${'['.repeat(100)}${']'.repeat(100)}}}`;

      const deep = await post(runtime, '/v1/tools/execute', deepInput);
      const proto = await post(runtime, '/v1/agents/assistant/run', '{"query": "hi", "__proto__": {"x": 1}}');

      expect(deep.json()).toMatchObject({ message: `input.x${'[0]'.repeat(30)}: nested deeper than 32 levels` });
      expect(proto.json()).toEqual({
        error: 'invalid_request',
        message: '__proto__: this key is not allowed',
        status: 400,
      });
    });

    it('reads a gzip body, refuses one that is not gzip with 400 and an unknown encoding with 415', async () => {
      const runtime = await aRuntime();
      const body = JSON.stringify({ tool: 'calculator', input: { expression: '2 + 2' } });

      const gzipped = await post(runtime, '/v1/tools/execute', gzipSync(body), { 'content-encoding': 'gzip' });
      const garbage = await post(runtime, '/v1/tools/execute', body, { 'content-encoding': 'gzip' });
      const unknown = await post(runtime, '/v1/tools/execute', body, { 'content-encoding': 'compress' });

      expect(gzipped.status).toBe(200);
      expect(garbage.json()).toEqual({
        error: 'invalid_request',
        message: 'body: not valid gzip data (incorrect header check)',
        status: 400,
      });
      expect(unknown.json()).toMatchObject({ error: 'unsupported_media_type', status: 415 });
    });

    it('answers an unknown method with 405 and the path methods in Allow, or 404 on an unknown path', async () => {
      const runtime = await aRuntime();

      const trace = await rawRequest(`${runtime.url}/v1/agents/assistant/run`, { method: 'TRACE' });
      const unknownPath = await rawRequest(`${runtime.url}/v1/nowhere`, { method: 'PROPFIND' });

      expect(trace.status).toBe(405);
      expect(trace.headers.allow).toBe('POST');
      expect(trace.json()).toMatchObject({ error: 'method_not_allowed', status: 405 });
      expect(unknownPath.status).toBe(404);
      expect(unknownPath.json()).toMatchObject({ error: 'not_found', status: 404 });
    });

    it('answers what node:http refuses itself (a broken request line) with the envelope', async () => {
      const runtime = await aRuntime();

      const garbage = await rawExchange(runtime.url, 'GARBAGE\r\n\r\n');

      expect(garbage).toMatch(/^HTTP\/1\.1 400 /);
      expect(JSON.parse(garbage.split('\r\n\r\n')[1] ?? '')).toMatchObject({ error: 'invalid_request', status: 400 });
    });

    it('refuses a broken %-escape in a path or a query string with 400', async () => {
      const runtime = await aRuntime();

      const inPath = await rawRequest(`${runtime.url}/v1/agents/%E0%A4%A`);
      const inQuery = await rawRequest(`${runtime.url}/v1/traces?agent=%E0%A4%A`);

      expect(inPath.json()).toMatchObject({
        status: 400,
        message: expect.stringMatching(/^path: not valid percent-encoding/),
      });
      expect(inQuery.json()).toMatchObject({
        status: 400,
        message: expect.stringMatching(/^query\.agent: not valid percent-encoding/),
      });
    });
  });
});

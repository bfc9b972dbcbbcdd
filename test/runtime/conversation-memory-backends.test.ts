import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FakeProvider, RecordedRequest } from '../fakes/fake-provider.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { freePort } from '../support/free-port.ts';
import { jsonOf } from '../support/json-of.ts';
import { type RunningRedis, startRedisServer } from '../support/start-redis-server.ts';
import { agentYaml, startTestRuntime, type TestRuntime } from '../support/start-test-runtime.ts';
import { useRuntimeTestKit } from './use-runtime-test-kit.ts';

const messagesOf = (request: RecordedRequest) => request.body.messages as { role: string; content: unknown }[];

/**
 * Agent files naming each conversational memory backend upstream's files use (in_memory,
 * sqlite, redis), loaded by astromeshd and run through its HTTP API against the fake provider.
 */
describe('conversational memory backends, from agent files', () => {
  let redis: RunningRedis;
  const kit = useRuntimeTestKit();
  const { cleanups } = kit;

  beforeAll(async () => {
    redis = await startRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  const { startFake } = kit;
  const startRuntime = kit.runtime;

  /** A runtime that is told the user's name and stops, as before a restart (recalledTurnOne is what follows). */
  async function introduceAdaThenStop(fake: FakeProvider, options: Parameters<typeof startTestRuntime>[0]) {
    const first = await startTestRuntime(options);
    try {
      expect((await ask(first, fake, 'My name is Ada.')).status).toBe(200);
    } finally {
      await first.stop();
    }
  }

  /** A data directory that outlives one runtime, as a restart needs. */
  function aDataDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'astromeshd-data-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  /** An agent file in upstream's shape: memory.conversational with the given backend keys. */
  const anAgent = (fake: FakeProvider, conversational: Record<string, unknown>) =>
    agentYaml('rememberer', {
      model: { primary: { provider: 'openai', model: 'chat-model', endpoint: fake.baseUrl } },
      prompts: { system: 'You are a friendly assistant.' },
      memory: { conversational: { strategy: 'sliding_window', max_turns: 20, ttl: 3600, ...conversational } },
    });

  // A session per test: the Redis server outlives each test, and its keys with it.
  let session = '';
  beforeEach(() => {
    session = `sess-${randomUUID()}`;
  });

  async function ask(runtime: TestRuntime, fake: FakeProvider, query: string) {
    fake.enqueue(fakeReply.text(`re: ${query}`));
    return runtime.request('/v1/agents/rememberer/run', {
      method: 'POST',
      body: JSON.stringify({ query, session_id: session }),
    });
  }

  const statusOf = async (runtime: TestRuntime) => (await jsonOf(await runtime.request('/v1/agents'))).agents;

  const recalledTurnOne = [
    { role: 'system', content: 'You are a friendly assistant.' },
    { role: 'user', content: 'My name is Ada.' },
    { role: 'assistant', content: 're: My name is Ada.' },
    { role: 'user', content: 'What is my name?' },
  ];

  const backends = [
    { backend: 'in_memory', keys: () => ({}) },
    { backend: 'sqlite', keys: () => ({}) },
    { backend: 'redis', keys: () => ({ connection: { url: redis.url } }) },
  ];

  // Every strategy over every backend: the strategies use only the store contract.
  const strategies = [
    { strategy: 'sliding_window', settings: { max_turns: 20 } },
    { strategy: 'summary', settings: { max_turns: 20 } },
    { strategy: 'token_budget', settings: { max_tokens: 1000 } },
  ];
  const matrix = backends.flatMap((backend) => strategies.map((strategy) => ({ ...backend, ...strategy })));

  it.each(matrix)('$backend with $strategy: loads ready, and turn 2 recalls turn 1', async (memory) => {
    const fake = await startFake();
    const { backend, strategy, settings } = memory;
    const runtime = await startRuntime({
      'a.yaml': anAgent(fake, { backend, ...memory.keys(), strategy, ...settings }),
    });

    const first = await ask(runtime, fake, 'My name is Ada.');
    const second = await ask(runtime, fake, 'What is my name?');

    expect(await statusOf(runtime)).toEqual([expect.objectContaining({ name: 'rememberer', status: 'ready' })]);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(messagesOf(fake.lastRequest)).toEqual(recalledTurnOne);
  });

  describe('sqlite', () => {
    it('keeps a session across a restart of the runtime, in a file under --data-dir', async () => {
      const dataDir = aDataDir();
      const fake = await startFake();
      const agents = { 'a.yaml': anAgent(fake, { backend: 'sqlite', path: 'memory/chats.db' }) };
      await introduceAdaThenStop(fake, { agents, credentials: { OPENAI_API_KEY: 'sk-test' }, dataDir });

      const second = await startRuntime(agents, { dataDir });
      const answer = await ask(second, fake, 'What is my name?');

      expect(answer.status).toBe(200);
      expect(messagesOf(fake.lastRequest)).toEqual(recalledTurnOne);
      expect(existsSync(join(dataDir, 'memory', 'chats.db'))).toBe(true);
    });

    it.each([{ path: '../outside.db' }, { path: '/etc/astromesh.db' }, { path: 'memory/../../outside.db' }])(
      'refuses a path that leaves the data directory ($path) at load, naming the field',
      async ({ path }) => {
        const fake = await startFake();
        const runtime = await startRuntime({ 'escape.yaml': anAgent(fake, { backend: 'sqlite', path }) });

        expect(await statusOf(runtime)).toEqual([
          expect.objectContaining({
            status: 'error',
            error: expect.stringMatching(/^escape\.yaml: spec\.memory\.conversational\.path: .*data directory/),
          }),
        ]);
      },
    );

    it('refuses the agent at load, naming the field, when its file cannot be created', async () => {
      const fake = await startFake();
      // Its folder is a regular file: nothing can be created there. (A data directory that is a
      // file stops astromeshd at start, see test/runtime/astromeshd-cli.test.ts.)
      const dataDir = aDataDir();
      writeFileSync(join(dataDir, 'not-a-folder'), '');
      const path = 'not-a-folder/conversations.sqlite';
      const runtime = await startRuntime({ 'a.yaml': anAgent(fake, { backend: 'sqlite', path }) }, { dataDir });

      expect(await statusOf(runtime)).toEqual([
        expect.objectContaining({
          status: 'error',
          error: expect.stringMatching(/^a\.yaml: spec\.memory\.conversational\.path: cannot open the SQLite file/),
        }),
      ]);
      expect((await runtime.request('/v1/health')).status).toBe(200);
    });
  });

  describe('redis', () => {
    it('keeps a session across a restart of the runtime, with the URL from the REDIS_URL credential', async () => {
      const fake = await startFake();
      const agents = { 'a.yaml': anAgent(fake, { backend: 'redis' }) };
      const credentials = { OPENAI_API_KEY: 'sk-test', REDIS_URL: redis.url };
      await introduceAdaThenStop(fake, { agents, credentials });

      const second = await startRuntime(agents, { credentials });
      const answer = await ask(second, fake, 'What is my name?');

      expect(answer.status).toBe(200);
      expect(messagesOf(fake.lastRequest)).toEqual(recalledTurnOne);
    });

    it('runs an agent with neither connection.url nor REDIS_URL without memory, as upstream, warning about it', async () => {
      const fake = await startFake();
      const runtime = await startRuntime({ 'no-url.yaml': anAgent(fake, { backend: 'redis' }) });

      const first = await ask(runtime, fake, 'My name is Ada.');
      const second = await ask(runtime, fake, 'What is my name?');

      expect(await statusOf(runtime)).toEqual([
        expect.objectContaining({
          status: 'ready',
          warnings: [
            'no-url.yaml: spec.memory.conversational.connection.url: not set: the REDIS_URL credential is used; without it the agent runs without conversational memory, as upstream does',
          ],
        }),
      ]);
      expect([first.status, second.status]).toEqual([200, 200]);
      // Upstream's engine builds no conversation backend without connection.url: nothing is recalled.
      expect(messagesOf(fake.lastRequest)).toEqual([
        { role: 'system', content: 'You are a friendly assistant.' },
        { role: 'user', content: 'What is my name?' },
      ]);
    });

    it('answers a run with a 503 naming the memory when Redis is down, and keeps serving', async () => {
      const fake = await startFake();
      const url = `redis://:hunter2-secret@127.0.0.1:${await freePort()}`;
      const runtime = await startRuntime({ 'a.yaml': anAgent(fake, { backend: 'redis', connection: { url } }) });

      const answer = await ask(runtime, fake, 'Hello?');
      const body = await jsonOf(answer);
      const health = await runtime.request('/v1/health');

      expect(answer.status).toBe(503);
      expect(body).toMatchObject({ error: 'memory_unavailable', status: 503 });
      expect(body.message).toContain('redis');
      expect(JSON.stringify(body)).not.toContain('hunter2');
      expect(health.status).toBe(200);
    });
  });

  it('refuses path on a backend other than sqlite, and connection on one other than redis', async () => {
    const fake = await startFake();
    const runtime = await startRuntime({
      'path.yaml': anAgent(fake, { backend: 'in_memory', path: 'x.db' }).replace('rememberer', 'with-path'),
      'conn.yaml': anAgent(fake, { backend: 'sqlite', connection: { url: redis.url } }).replace(
        'rememberer',
        'with-conn',
      ),
    });

    const agents = await statusOf(runtime);

    expect(agents).toHaveLength(2);
    expect(agents.map((agent: { error: string }) => agent.error).sort()).toEqual([
      expect.stringMatching(
        /^conn\.yaml: spec\.memory\.conversational\.connection: connection is for the redis backend/,
      ),
      expect.stringMatching(/^path\.yaml: spec\.memory\.conversational\.path: path is for the sqlite backend/),
    ]);
  });
});

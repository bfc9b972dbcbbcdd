import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/eventually.ts';
import { freePort } from '../../test/support/free-port.ts';
import { type RunningRedis, startRedisServer } from '../../test/support/start-redis-server.ts';
import { createRedisConversationStore } from './create-redis-conversation-store.ts';
import type { ConversationStore } from './memory-types.ts';
import { MemoryUnavailable } from './memory-unavailable.ts';
import { aClock } from './test-support/a-clock.ts';
import { describeConversationStoreContract } from './test-support/conversation-store-contract.ts';

let redis: RunningRedis;

beforeAll(async () => {
  redis = await startRedisServer();
});

afterAll(async () => {
  await redis?.stop();
});

const silentLog = () => pino({ level: 'silent' });
// Each store gets a key prefix of its own, so tests in this file never see each other's keys.
const aPrefix = () => `test-${randomBytes(4).toString('hex')}:`;

async function withRawClient<T>(url: string, work: (client: ReturnType<typeof createClient>) => Promise<T>) {
  const client = createClient({ url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    client.destroy();
  }
}

describeConversationStoreContract('Redis', async (clock) =>
  createRedisConversationStore({ url: redis.url, keyPrefix: aPrefix(), log: silentLog(), clock: clock.now }),
);

describe('createRedisConversationStore', () => {
  const stores: ConversationStore[] = [];
  const open = (options: Partial<Parameters<typeof createRedisConversationStore>[0]> = {}) => {
    const store = createRedisConversationStore({ url: redis.url, log: silentLog(), clock: aClock().now, ...options });
    stores.push(store);
    return store;
  };
  afterAll(async () => {
    await Promise.all(stores.map((store) => store.close()));
  });

  it('keeps conversations across a close and a reopen of the store', async () => {
    const keyPrefix = aPrefix();
    const first = open({ keyPrefix });
    await first.append('acme__bot', 's1', [{ role: 'user', content: 'My name is Ada.' }]);
    await first.saveSummary('acme__bot', 's1', { text: 'Ada.', coveredTurns: 1 });
    await first.close();

    const second = open({ keyPrefix });

    expect((await second.history('acme__bot', 's1')).map((turn) => turn.content)).toEqual(['My name is Ada.']);
    expect(await second.summary('acme__bot', 's1')).toEqual({ text: 'Ada.', coveredTurns: 1 });
  });

  it('names its keys by agent and session under its prefix', async () => {
    const keyPrefix = aPrefix();
    const store = open({ keyPrefix });

    await store.append('acme__bot', 'chat:42', [{ role: 'user', content: 'Hi' }]);

    const keys = await withRawClient(redis.url, (client) => client.keys(`${keyPrefix}*`));
    expect(keys.sort()).toEqual([`${keyPrefix}meta:acme__bot:chat:42`, `${keyPrefix}turns:acme__bot:chat:42`]);
  });

  it('lets Redis expire a session with a ttl, and keeps one without', async () => {
    const keyPrefix = aPrefix();
    const store = open({ keyPrefix });

    await store.append('acme__bot', 'brief', [{ role: 'user', content: 'Hi' }], { ttlSeconds: 60 });
    await store.append('acme__bot', 'lasting', [{ role: 'user', content: 'Hi' }]);

    const ttls = await withRawClient(redis.url, async (client) => ({
      briefTurns: await client.pTTL(`${keyPrefix}turns:acme__bot:brief`),
      briefMeta: await client.pTTL(`${keyPrefix}meta:acme__bot:brief`),
      lasting: await client.pTTL(`${keyPrefix}turns:acme__bot:lasting`),
    }));
    expect(ttls.briefTurns).toBeGreaterThan(50_000);
    expect(ttls.briefTurns).toBeLessThanOrEqual(60_000);
    expect(ttls.briefMeta).toBeGreaterThan(50_000);
    expect(ttls.lasting).toBe(-1);
  });

  it('forgets a session Redis has expired', async () => {
    const keyPrefix = aPrefix();
    const store = open({ keyPrefix });
    await store.append('acme__bot', 's1', [{ role: 'user', content: 'Hi' }], { ttlSeconds: 60 });

    // What Redis does when the ttl runs out, without waiting for it.
    await withRawClient(redis.url, (client) =>
      client.del([`${keyPrefix}turns:acme__bot:s1`, `${keyPrefix}meta:acme__bot:s1`]),
    );

    expect(await store.history('acme__bot', 's1')).toEqual([]);
    expect(await store.clear('acme__bot', 's1')).toBe(false);
  });

  it('works with a server that requires a password', async () => {
    const guarded = await startRedisServer({ password: 's3cret pass' });
    try {
      const store = open({ url: guarded.url, keyPrefix: aPrefix() });

      await store.append('acme__bot', 's1', [{ role: 'user', content: 'Hi' }]);

      expect(await store.history('acme__bot', 's1')).toHaveLength(1);
    } finally {
      await guarded.stop();
    }
  });

  it('fails a call with a 503 that names the server but not its password when Redis is not there', async () => {
    const port = await freePort();
    const store = open({
      url: `redis://:hunter2-secret@127.0.0.1:${port}`,
      timeouts: { connectMs: 300, commandMs: 1_000 },
    });

    const attempt = store.history('acme__bot', 's1');

    await expect(attempt).rejects.toBeInstanceOf(MemoryUnavailable);
    await expect(attempt).rejects.toMatchObject({
      status: 503,
      code: 'memory_unavailable',
      message: expect.stringContaining(`127.0.0.1:${port}`),
    });
    await expect(attempt).rejects.not.toMatchObject({ message: expect.stringContaining('hunter2') });
  });

  it('never logs the password of its URL, while Redis is away or when a call fails', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'trace' }, { write: (line: string) => lines.push(line) });
    const store = open({
      url: `redis://:hunter2-secret@127.0.0.1:${await freePort()}`,
      log,
      timeouts: { connectMs: 300, commandMs: 1_000 },
    });

    await Promise.allSettled([store.history('acme__bot', 's1'), store.append('acme__bot', 's1', [])]);
    await Promise.allSettled([store.history('acme__bot', 's1')]);

    expect(lines.join('')).toContain('redis conversation memory unreachable');
    expect(lines.join('')).not.toContain('hunter2');
  });

  it('serves again once a Redis that was down comes up', async () => {
    const late = await startRedisServer();
    const url = late.url;
    await late.stop();
    const store = open({ url, keyPrefix: aPrefix(), timeouts: { connectMs: 300, commandMs: 1_000 } });
    await expect(store.history('acme__bot', 's1')).rejects.toBeInstanceOf(MemoryUnavailable);

    const revived = await startRedisServer({ port: Number(new URL(url).port) });
    try {
      // The client reconnects in the background; a call succeeds once it has.
      const history = await eventually(() => store.history('acme__bot', 's1'), { timeoutMs: 15_000 });

      expect(history).toEqual([]);
    } finally {
      await revived.stop();
    }
  });
});

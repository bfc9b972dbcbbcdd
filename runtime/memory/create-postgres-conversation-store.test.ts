import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPausableTcpProxy } from '../../test/support/pausable-tcp-proxy.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.ts';
import { createPostgresConversationStore } from './create-postgres-conversation-store.ts';
import type { ConversationStore } from './memory-types.ts';
import { aClock } from './test-support/a-clock.ts';
import { describeConversationStoreContract } from './test-support/conversation-store-contract.ts';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.drop();
});

const silentLog = () => pino({ level: 'silent' });
// Each test gets a schema of its own, so tests in this file never see each other's rows.
const aSchema = () => `conversations_${randomBytes(4).toString('hex')}`;

async function querySql<T extends pg.QueryResultRow>(url: string, sql: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

describeConversationStoreContract('PostgreSQL', (clock) =>
  createPostgresConversationStore({
    connectionString: database.url,
    schema: aSchema(),
    log: silentLog(),
    clock: clock.now,
  }),
);

describe('createPostgresConversationStore', () => {
  it('keeps conversations across a restart', async () => {
    const schema = aSchema();
    const first = await createPostgresConversationStore({ connectionString: database.url, schema, log: silentLog() });
    await first.append('acme__bot', 's1', [
      { role: 'user', content: 'Remember the number 42.' },
      { role: 'assistant', content: 'Noted: 42.' },
    ]);
    await first.saveSummary('acme__bot', 's1', { text: 'The number is 42.', coveredTurns: 2 });
    await first.close();

    const second = await createPostgresConversationStore({ connectionString: database.url, schema, log: silentLog() });
    const history = await second.history('acme__bot', 's1');
    const summary = await second.summary('acme__bot', 's1');
    await second.close();

    expect(history.map((turn) => turn.content)).toEqual(['Remember the number 42.', 'Noted: 42.']);
    expect(summary).toEqual({ text: 'The number is 42.', coveredTurns: 2 });
  });

  it('fails an append and a read within its timeouts while the database hangs, and works once it answers', async () => {
    const target = new URL(database.url);
    const proxy = await startPausableTcpProxy({ host: target.hostname, port: Number(target.port) });
    target.port = String(proxy.port);
    const store = await createPostgresConversationStore({
      connectionString: target.toString(),
      schema: aSchema(),
      log: silentLog(),
      timeouts: { connectMs: 300, queryMs: 300 },
    });
    try {
      proxy.pause();

      // Unbounded, both would wait forever on a server that neither answers nor hangs up.
      await expect(store.append('acme__bot', 's1', [{ role: 'user', content: 'hello' }])).rejects.toThrow();
      await expect(store.history('acme__bot', 's1')).rejects.toThrow();
      proxy.resume();

      await store.append('acme__bot', 's1', [{ role: 'user', content: 'hello again' }]);
      expect((await store.history('acme__bot', 's1')).map((turn) => turn.content)).toEqual(['hello again']);
    } finally {
      proxy.resume();
      await store.close();
      await proxy.close();
    }
  });

  it('creates its tables once when several replicas start together', async () => {
    const schema = aSchema();

    const stores = await Promise.all(
      Array.from({ length: 4 }, () =>
        createPostgresConversationStore({ connectionString: database.url, schema, log: silentLog() }),
      ),
    );
    await Promise.all(stores.map((store) => store.close()));

    const tables = await querySql<{ table_name: string }>(
      database.url,
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
      [schema],
    );
    expect(tables.map((row) => row.table_name)).toEqual(['conversation_sessions', 'conversation_turns']);
  });

  it('numbers the turns of concurrent appends without gaps or collisions', async () => {
    const store = await createPostgresConversationStore({
      connectionString: database.url,
      schema: aSchema(),
      log: silentLog(),
    });

    await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        store.append('acme__bot', 's1', [
          { role: 'user', content: `question ${index}` },
          { role: 'assistant', content: `answer ${index}` },
        ]),
      ),
    );
    const history = await store.history('acme__bot', 's1');
    await store.close();

    expect(history).toHaveLength(20);
    for (let pair = 0; pair < 10; pair++) {
      const index = history[pair * 2]?.content.replace('question ', '');
      expect(history[pair * 2 + 1]?.content).toBe(`answer ${index}`);
    }
  });

  it('deletes expired sessions from the database as new turns arrive', async () => {
    const clock = aClock();
    const schema = aSchema();
    const store = await createPostgresConversationStore({
      connectionString: database.url,
      schema,
      log: silentLog(),
      clock: clock.now,
    });
    await store.append('acme__bot', 'old', [{ role: 'user', content: 'bye' }], { ttlSeconds: 60 });
    clock.advanceSeconds(61);

    await store.append('acme__bot', 'new', [{ role: 'user', content: 'hi' }], { ttlSeconds: 60 });
    await store.close();

    const sessions = await querySql<{ session_id: string }>(
      database.url,
      `SELECT session_id FROM ${pg.escapeIdentifier(schema)}.conversation_sessions`,
    );
    const turns = await querySql<{ count: string }>(
      database.url,
      `SELECT count(*) FROM ${pg.escapeIdentifier(schema)}.conversation_turns`,
    );
    expect(sessions).toEqual([{ session_id: 'new' }]);
    expect(turns).toEqual([{ count: '1' }]);
  });

  it('quotes the schema name, whatever it contains', async () => {
    const schema = `org "a"; DROP TABLE x; --${randomBytes(2).toString('hex')}`;

    const store = await createPostgresConversationStore({ connectionString: database.url, schema, log: silentLog() });
    await store.append('acme__bot', 's1', [{ role: 'user', content: "it's fine; really" }]);
    const history = await store.history('acme__bot', 's1');
    await store.close();

    expect(history.map((turn) => turn.content)).toEqual(["it's fine; really"]);
  });

  it('stores a message containing NUL with the replacement character', async () => {
    const store = await createPostgresConversationStore({
      connectionString: database.url,
      schema: aSchema(),
      log: silentLog(),
    });

    await store.append('acme__bot', 's1', [{ role: 'user', content: 'a\u0000b' }]);
    const history = await store.history('acme__bot', 's1');
    await store.close();

    expect(history[0]?.content).toBe('a\uFFFDb');
  });

  describe('with a role per org (DESIGN.md, decision 9)', () => {
    const suffix = randomBytes(4).toString('hex');
    const roleA = `org_a_${suffix}`;
    const roleB = `org_b_${suffix}`;
    const password = randomBytes(12).toString('hex');
    const stores: ConversationStore[] = [];
    const urlFor = (role: string) => {
      const url = new URL(database.url);
      url.username = role;
      url.password = password;
      return url.toString();
    };

    beforeAll(async () => {
      for (const role of [roleA, roleB]) {
        await querySql(database.url, `CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
        await querySql(database.url, `CREATE SCHEMA ${role} AUTHORIZATION ${role}`);
      }
    });

    afterAll(async () => {
      await Promise.all(stores.map((store) => store.close()));
      for (const role of [roleA, roleB]) {
        await querySql(database.url, `DROP SCHEMA IF EXISTS ${role} CASCADE`);
        await querySql(database.url, `DROP ROLE IF EXISTS ${role}`);
      }
    });

    it("works in the org's own schema with no right to create schemas", async () => {
      const store = await createPostgresConversationStore({
        connectionString: urlFor(roleA),
        schema: roleA,
        log: silentLog(),
      });
      stores.push(store);

      await store.append('a__bot', 's1', [{ role: 'user', content: 'private to org a' }]);

      expect(await store.history('a__bot', 's1')).toHaveLength(1);
    });

    it("cannot reach another org's conversations", async () => {
      const storeB = await createPostgresConversationStore({
        connectionString: urlFor(roleB),
        schema: roleB,
        log: silentLog(),
      });
      stores.push(storeB);
      await storeB.append('b__bot', 's1', [{ role: 'user', content: 'private to org b' }]);

      const attempt = createPostgresConversationStore({
        connectionString: urlFor(roleA),
        schema: roleB,
        log: silentLog(),
      });

      await expect(attempt).rejects.toThrow(/permission denied/);
    });
  });
});

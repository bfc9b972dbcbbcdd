import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import pg from 'pg';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { fakeReply } from '../fakes/fake-reply.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { spawnAstromeshdWithPostgresMemory, writeGreeterWithPostgresMemory } from '../support/spawn-astromeshd.ts';
import { createTestDatabase } from '../support/test-database.ts';

// Issue 13: a run without a session_id starts a conversation under an id the runtime has just
// chosen, so there is nothing to recall and its PostgreSQL memory costs one round trip (the
// append), not two. Shown by taking away the runtime's right to read the turns table: a run that
// starts a conversation still answers, a run that continues one cannot.
describe('PostgreSQL conversation memory, for a run that starts a conversation', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function asAdmin(sql: string, databaseUrl: string = inject('adminDatabaseUrl')): Promise<void> {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  /** A database and a role of its own that owns the memory schema, as an org's runtime has (DESIGN.md decision 9). */
  async function anOrgDatabase(): Promise<{ adminUrl: string; runtimeUrl: string; role: string }> {
    const role = `astromesh_test_${randomBytes(6).toString('hex')}`;
    const password = randomBytes(12).toString('hex');
    await asAdmin(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
    cleanups.push(() => asAdmin(`DROP ROLE IF EXISTS ${role}`));
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    await asAdmin(`CREATE SCHEMA org_acme AUTHORIZATION ${role}`, database.url);
    const runtimeUrl = new URL(database.url);
    runtimeUrl.username = role;
    runtimeUrl.password = password;
    return { adminUrl: database.url, runtimeUrl: runtimeUrl.toString(), role };
  }

  it('answers without reading the memory; a run that continues a conversation reads it', async () => {
    const { adminUrl, runtimeUrl, role } = await anOrgDatabase();
    const fake = await startFakeProvider('openai', { defaultReply: fakeReply.text('Hello, Ada.') });
    cleanups.push(() => fake.close());
    const dir = writeGreeterWithPostgresMemory(fake.baseUrl, 'astromesh-new-session-');
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const astromeshd = await spawnAstromeshdWithPostgresMemory(dir, runtimeUrl);
    cleanups.push(() => astromeshd.process.kill());
    const run = async (body: Record<string, unknown>) => {
      const response = await fetch(`${astromeshd.url}/v1/agents/greeter/run`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'My name is Ada.', ...body }),
      });
      return { status: response.status, body: (await response.json()) as { session_id?: string } };
    };
    // The first run creates the memory tables, owned by the org's role.
    expect((await run({ session_id: 'first' })).status).toBe(200);
    await asAdmin(`REVOKE SELECT ON org_acme.conversation_turns FROM ${role}`, adminUrl);

    const started = await run({});
    const continued = await run({ session_id: started.body.session_id });

    expect(started.status).toBe(200);
    expect(started.body.session_id).toMatch(/^sess_[0-9a-f]{32}$/);
    expect(continued.status).toBeGreaterThanOrEqual(500);
  });
});

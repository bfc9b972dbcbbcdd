import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/test-database.ts';
import { createDatabase } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import { WizardConfig } from '../schemas/wizard-config.ts';
import { reserveRunOfAgent } from './usage-store.ts';

describe('reserving a run', () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  // The reservation's own commit skips the WAL flush wait (issue 13); every other write on the
  // same pooled connection (usage records, keys, members) must still wait for it.
  it('counts the run and leaves its connection committing durably', async () => {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    // One connection: the statements below run on the one the reservation used.
    const db = createDatabase(database.url, { log: pino({ level: 'silent' }), max: 1 });
    cleanups.push(() => db.end());
    await migrate(db);
    const { rows } = await db.query<{ id: string }>(
      "INSERT INTO orgs (slug, display_name) VALUES ('acme', 'Acme') RETURNING id",
    );
    const orgId = rows[0]?.id as string;
    const config = WizardConfig.parse({ name: 'bot', step1: { model: 'openai/gpt-4o-mini' } });
    await db.query(
      "INSERT INTO agents (org_id, name, display_name, config, status) VALUES ($1, 'bot', 'Bot', $2, 'deployed')",
      [orgId, JSON.stringify(config)],
    );

    // The test server runs with synchronous_commit off throughout; a production one has it on.
    await db.query('SET synchronous_commit = on');

    const first = await reserveRunOfAgent(db, { orgId, agentName: 'bot', day: '2026-12-02', limit: 10 });
    const second = await reserveRunOfAgent(db, { orgId, agentName: 'bot', day: '2026-12-02', limit: 10 });
    const setting = await db.query<{ synchronous_commit: string }>('SHOW synchronous_commit');

    expect([first?.runs, second?.runs]).toEqual([1, 2]);
    expect(setting.rows[0]?.synchronous_commit).toBe('on');
  });
});

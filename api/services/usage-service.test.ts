import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/eventually.ts';
import { startPausableTcpProxy } from '../../test/support/pausable-tcp-proxy.ts';
import { createTestDatabase } from '../../test/support/test-database.ts';
import { createDatabase, type Database, defaultDatabaseTimeouts } from '../db/database.ts';
import { migrate } from '../db/migrate.ts';
import type { OrgAccess } from '../http/principal.ts';
import { insertUsageRecord } from '../stores/usage-store.ts';
import { createUsageService, type RunReservation, type RunSettlement } from './usage-service.ts';

const log = pino({ level: 'silent' });
const now = new Date('2026-03-14T12:00:00Z');
const today = '2026-03-14';
const aServedRun: RunSettlement = {
  agentName: 'support-bot',
  kind: 'run',
  tokensIn: 10,
  tokensOut: 20,
  model: 'openai/gpt-4o-mini',
  latencyMs: 120,
  outcome: 'ok',
};

describe('usage records when the database goes away', () => {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A migrated database with one org that took `runsTaken` runs today, and a usage service reaching it through a proxy. */
  async function anOrgBehindAProxy(runsTaken: number) {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const direct = createDatabase(database.url, { log });
    cleanups.push(() => direct.end());
    await migrate(direct);
    const { rows } = await direct.query<{ id: string }>(
      "INSERT INTO orgs (slug, display_name) VALUES ('acme', 'Acme') RETURNING id",
    );
    const orgId = rows[0]?.id as string;
    await direct.query('INSERT INTO daily_run_counters (org_id, day, runs) VALUES ($1, $2, $3)', [
      orgId,
      today,
      runsTaken,
    ]);
    const target = new URL(database.url);
    const proxy = await startPausableTcpProxy({ host: target.hostname, port: Number(target.port) });
    cleanups.push(() => proxy.close());
    target.port = String(proxy.port);
    const db = createDatabase(target.toString(), {
      log,
      timeouts: { ...defaultDatabaseTimeouts, connectMs: 300, queryMs: 300 },
    });
    cleanups.push(() => db.end());
    const usage = createUsageService({ db, now: () => now, limits: { dailyRuns: 100 }, log });
    const access = { orgId, orgSlug: 'acme', role: 'owner' } as OrgAccess;
    const reservation: RunReservation = {
      orgId,
      day: today,
      apiKeyId: undefined,
      counted: { agent: false, apiKey: false },
      rateLimit: { limit: 100, remaining: 100 - runsTaken, resetsAt: now },
    };
    return { direct, proxy, usage, access, reservation, orgId };
  }

  const recordsIn = async (db: Database) =>
    (await db.query<{ outcome: string }>('SELECT outcome FROM usage_records ORDER BY outcome')).rows;

  it('keeps the record of a run answered while the database is away, and writes it once it is back', async () => {
    const { direct, proxy, usage, access, reservation } = await anOrgBehindAProxy(1);
    proxy.pause();

    await usage.settleRun(reservation, aServedRun);
    expect(await recordsIn(direct)).toEqual([]);
    proxy.resume();

    await eventually(async () => expect(await recordsIn(direct)).toEqual([{ outcome: 'ok' }]));
    expect(await usage.summary(access, 1)).toMatchObject({ totalRequests: 1, totalTokens: 30, remainingToday: 99 });
  });

  it('gives back a run that was not served once the database is back, exactly once', async () => {
    const { direct, proxy, usage, access, reservation } = await anOrgBehindAProxy(1);
    proxy.pause();

    await usage.settleRun(reservation, {
      ...aServedRun,
      tokensIn: 0,
      tokensOut: 0,
      model: null,
      outcome: 'not_served',
    });
    proxy.resume();
    await usage.settled();

    expect(await recordsIn(direct)).toEqual([{ outcome: 'not_served' }]);
    expect(await usage.summary(access, 1)).toMatchObject({ totalRequests: 0, remainingToday: 100 });
  });

  it('counts a usage record written twice (a retry after a lost reply) once', async () => {
    const { direct, orgId } = await anOrgBehindAProxy(0);
    const record = { ...aServedRun, settlementId: '6f1c1a3e-0b7f-4c55-9d0a-2f6f9b1e8c11', orgId, createdAt: now };

    const first = await insertUsageRecord(direct, record);
    const second = await insertUsageRecord(direct, record);

    expect([first, second]).toEqual([true, false]);
    expect(await recordsIn(direct)).toEqual([{ outcome: 'ok' }]);
  });

  it('writes the records kept through an outage when the API shuts down, if the database is back in time', async () => {
    const { direct, proxy, usage, reservation } = await anOrgBehindAProxy(2);
    proxy.pause();
    await usage.settleRun(reservation, aServedRun);
    await usage.settleRun(reservation, { ...aServedRun, outcome: 'failed' });

    const draining = usage.drain(new Date(Date.now() + 20_000));
    proxy.resume();
    await draining;

    expect(await recordsIn(direct)).toEqual([{ outcome: 'failed' }, { outcome: 'ok' }]);
  });
});

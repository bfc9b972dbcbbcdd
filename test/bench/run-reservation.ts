// npm run bench (or node test/bench/run-reservation.ts): what taking a run costs in PostgreSQL,
// the statement every run and stream query starts with (reserve_run, migration 008), against the
// product's embedded PostgreSQL. Three cases: no budgets set; an agent and an API key with daily
// run and token limits and the org with a monthly spend budget (every check and counter taken);
// and, for comparison, the org's daily counter alone (the statement before budgets existed).
// Prints reservations per second and latency at 1 and 16 concurrent callers; asserts nothing.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { createDatabase, type Database } from '../../api/db/database.ts';
import { startEmbeddedPostgres } from '../../api/db/embedded-postgres.ts';
import { migrate } from '../../api/db/migrate.ts';
import { reserveRunOfAgent } from '../../api/stores/usage-store.ts';
import { measureLoad } from './measure-load.ts';

const reservationsPerCase = 4_000;
const day = new Date().toISOString().slice(0, 10);

async function anOrg(db: Database, withBudgets: boolean) {
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO orgs (slug, display_name, monthly_spend_limit_nano_usd)
     VALUES ('bench-' || gen_random_uuid(), 'Bench', $1) RETURNING id`,
    [withBudgets ? 1e15 : null],
  );
  const orgId = (rows[0] as { id: string }).id;
  const limits = withBudgets ? [1e8, 1e12] : [null, null];
  await db.query(
    `INSERT INTO agents (org_id, name, display_name, config, status, daily_run_limit, daily_token_limit)
     VALUES ($1, 'bot', 'Bot', '{"name": "bot", "step1": {"model": "openai/gpt-6-luna"}}', 'deployed', $2, $3)`,
    [orgId, ...limits],
  );
  const keyId = `key_bench${orgId.replaceAll('-', '')}`;
  await db.query(
    `INSERT INTO api_keys (id, org_id, name, prefix, secret_hash, role, daily_run_limit, daily_token_limit)
     VALUES ($1, $2, 'bench', 'ask-bench', $3, 'member', $4, $5)`,
    [keyId, orgId, Buffer.from(keyId), ...limits],
  );
  return { orgId, keyId };
}

// The statement runs took before budgets (git show 85c3d84:api/stores/usage-store.ts).
const orgCounterOnly = `WITH agent AS (SELECT * FROM agents WHERE org_id = $1 AND name = $2),
  no_flush_wait AS (SELECT set_config('synchronous_commit', 'off', true)),
  reserved AS (
    INSERT INTO daily_run_counters AS counter (org_id, day, runs)
    SELECT $1, $3, 1 FROM agent, no_flush_wait WHERE agent.status = 'deployed'
    ON CONFLICT (org_id, day) DO UPDATE SET runs = counter.runs + 1 WHERE counter.runs < $4
    RETURNING runs)
  SELECT agent.*, (SELECT runs FROM reserved) AS reserved_runs FROM agent`;

async function main() {
  const postgres = await startEmbeddedPostgres({
    dataDir: mkdtempSync(join(tmpdir(), 'astromesh-bench-pg-')),
    port: 0,
    mode: { kind: 'throwaway' },
  });
  const db = createDatabase(postgres.adminUrl, { log: pino({ level: 'error' }) });
  try {
    await migrate(db);
    const cases: [string, (org: { orgId: string; keyId: string }) => Promise<unknown>, boolean][] = [
      [
        'org daily counter only (before budgets)',
        ({ orgId }) => db.query({ name: 'bench-org-only', text: orgCounterOnly, values: [orgId, 'bot', day, 1e9] }),
        false,
      ],
      [
        'reserve_run, no budgets set',
        ({ orgId, keyId }) => reserveRunOfAgent(db, { orgId, agentName: 'bot', apiKeyId: keyId, day, limit: 1e9 }),
        false,
      ],
      [
        'reserve_run, every budget set',
        ({ orgId, keyId }) => reserveRunOfAgent(db, { orgId, agentName: 'bot', apiKeyId: keyId, day, limit: 1e9 }),
        true,
      ],
    ];
    for (const concurrency of [1, 16]) {
      for (const [label, reserve, withBudgets] of cases) {
        const org = await anOrg(db, withBudgets);
        const stats = await measureLoad(
          async () => {
            await reserve(org);
          },
          concurrency,
          reservationsPerCase,
        );
        process.stdout.write(
          `${label}, concurrency ${concurrency}: ${Math.round(stats.runsPerSecond)} reservations/s, p50 ${stats.p50.toFixed(2)} ms, p99 ${stats.p99.toFixed(2)} ms\n`,
        );
      }
    }
  } finally {
    await db.end();
    await postgres.stop();
  }
}

await main();

import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createDatabase } from '../../api/db/database.ts';
import { claimTick } from '../../api/stores/schedules-store.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { aMemberOf } from '../support/a-member-of.ts';
import { aSupportBot } from '../support/a-support-bot.ts';
import { eventually } from '../support/eventually.ts';
import { jsonOf } from '../support/json-of.ts';
import { post, put } from '../support/post.ts';
import { startApiReplica } from '../support/start-api-replica.ts';
import { startSignedInTestApi } from '../support/start-test-api.ts';

const patch = (body: unknown): RequestInit => ({ method: 'PATCH', body: JSON.stringify(body) });
const aSchedule = (overrides: Record<string, unknown> = {}) => ({
  cron: '0 9 * * 1-5',
  timezone: 'Europe/Paris',
  input: { query: 'Write the daily report' },
  ...overrides,
});

describe('agent schedules', { timeout: 120_000 }, () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** An org with support-bot (deployed on a fake provider when `deployed`), and replicas on demand. */
  async function setup(options: { env?: Record<string, string>; deployed?: boolean } = {}) {
    // Every replica signs and reads tokens with the same secret, as the chart's replicas do.
    const env = {
      ASTROMESH_JWT_SECRET: randomBytes(48).toString('base64'),
      ASTROMESH_MASTER_KEY: randomBytes(32).toString('base64'),
      ...options.env,
    };
    const { api, token, org, as } = await startSignedInTestApi((stop) => cleanups.push(stop), { env });
    await as('/agents', post(aSupportBot));
    if (options.deployed) {
      const fake = await startFakeProvider('openai');
      cleanups.push(() => fake.close());
      await as('/providers', post({ provider: 'openai', api_key: 'sk-test-key', base_url: fake.baseUrl }));
      const deploy = await as('/agents/support-bot/deploy', post());
      expect(deploy.status, await deploy.clone().text()).toBe(200);
    }
    const anotherReplica = async () => {
      const replica = await startApiReplica(api, env);
      cleanups.push(() => replica.stop());
      // As a replica that starts does: the local backend starts its own runtime of each deployed org.
      await replica.api.reconcileDeployments();
      return replica;
    };
    const createSchedule = async (body: unknown) => {
      const response = await as('/agents/support-bot/schedules', post(body));
      expect(response.status, await response.clone().text()).toBe(201);
      return jsonOf(response);
    };
    const scheduleOf = async (id: string) => jsonOf(await as(`/agents/support-bot/schedules/${id}`));
    const ticksOf = async (id: string) =>
      (
        await api.db.query<{ tick_at: Date; status: string; run_id: string | null; error: { code: string } | null }>(
          'SELECT tick_at, status, run_id, error FROM schedule_ticks WHERE schedule_id = $1 ORDER BY tick_at',
          [id],
        )
      ).rows;
    const runsOf = async (id: string) =>
      (
        await api.db.query<{ id: string; status: string }>(
          `SELECT id, status FROM background_runs WHERE origin_kind = 'schedule' AND origin_id = $1`,
          [id],
        )
      ).rows;
    return { api, token, org, as, anotherReplica, createSchedule, scheduleOf, ticksOf, runsOf };
  }

  it('creates, lists, reads, changes and deletes a schedule, showing its next tick in its time zone', async () => {
    const { as, createSchedule, scheduleOf } = await setup();

    const created = await createSchedule(aSchedule());
    const listed = await jsonOf(await as('/agents/support-bot/schedules'));
    const paused = await jsonOf(await as(`/agents/support-bot/schedules/${created.id}`, patch({ enabled: false })));
    const moved = await jsonOf(
      await as(
        `/agents/support-bot/schedules/${created.id}`,
        patch({ enabled: true, cron: '30 18 * * *', timezone: 'America/New_York' }),
      ),
    );
    const deleted = await as(`/agents/support-bot/schedules/${created.id}`, { method: 'DELETE' });
    const gone = await as(`/agents/support-bot/schedules/${created.id}`);

    expect(created).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      agent: 'support-bot',
      cron: '0 9 * * 1-5',
      timezone: 'Europe/Paris',
      input: { query: 'Write the daily report' },
      enabled: true,
      skipped_ticks: 0,
      last_run: null,
    });
    const next = new Date(created.next_run_at);
    expect(next.getTime()).toBeGreaterThan(Date.now());
    expect(
      new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Europe/Paris',
        hour: '2-digit',
        minute: '2-digit',
        weekday: 'short',
      }).format(next),
    ).toMatch(/^(Mon|Tue|Wed|Thu|Fri) 09:00$/);
    expect(listed.schedules).toEqual([created]);
    expect(paused).toMatchObject({ enabled: false, next_run_at: null });
    expect(moved).toMatchObject({ enabled: true, cron: '30 18 * * *', timezone: 'America/New_York' });
    expect(
      new Intl.DateTimeFormat('en-GB', { timeZone: 'America/New_York', hour: '2-digit', minute: '2-digit' }).format(
        new Date(moved.next_run_at),
      ),
    ).toBe('18:30');
    expect(deleted.status).toBe(204);
    expect(gone.status).toBe(404);
    expect(await scheduleOf(created.id)).toMatchObject({ error: 'not_found' });
  });

  it('refuses a bad cron, time zone, interval or input with a 400 naming the field', async () => {
    const { as } = await setup({ env: { ASTROMESH_SCHEDULE_MIN_INTERVAL_SECONDS: '120' } });
    const attempt = async (body: unknown) => jsonOf(await as('/agents/support-bot/schedules', post(body)));

    const badMinute = await attempt(aSchedule({ cron: '61 * * * *' }));
    const fourFields = await attempt(aSchedule({ cron: '* * * *' }));
    const seconds = await attempt(aSchedule({ cron: '*/5 * * * * *' }));
    const tooOften = await attempt(aSchedule({ cron: '* * * * *' }));
    const never = await attempt(aSchedule({ cron: '0 0 30 2 *' }));
    const zone = await attempt(aSchedule({ timezone: 'Mars/Olympus_Mons' }));
    const noQuery = await attempt(aSchedule({ input: { context: {} } }));
    const typo = await attempt({ ...aSchedule(), enabeld: false });
    const emptyPatch = await jsonOf(
      await as(`/agents/support-bot/schedules/${(await attempt(aSchedule())).id}`, patch({})),
    );

    expect(badMinute).toMatchObject({ status: 400, message: expect.stringMatching(/^cron: .*minute/) });
    expect(fourFields).toMatchObject({ status: 400, message: expect.stringMatching(/^cron: must have 5 fields/) });
    expect(seconds).toMatchObject({ status: 400, message: expect.stringMatching(/^cron: must have 5 fields/) });
    expect(tooOften).toMatchObject({
      status: 400,
      message: "cron: '* * * * *' fires every 60 s; a schedule may fire at most once every 120 s",
    });
    expect(never).toMatchObject({ status: 400, message: expect.stringMatching(/^cron: .*never fires/) });
    expect(zone).toMatchObject({
      status: 400,
      message: expect.stringMatching(/^timezone: 'Mars\/Olympus_Mons' is not/),
    });
    expect(noQuery).toMatchObject({ status: 400, message: expect.stringMatching(/^input\.query: /) });
    expect(typo).toMatchObject({ status: 400, message: expect.stringContaining('enabeld') });
    expect(emptyPatch).toMatchObject({ status: 400, message: expect.stringContaining('at least one of cron') });
  });

  it('lets members read schedules but not write them, and refuses another org', async () => {
    const { api, org, token, createSchedule } = await setup();
    const schedule = await createSchedule(aSchedule());
    const member = await aMemberOf(api, { org, ownerToken: token });
    const stranger = await api.login();
    const path = `/orgs/${org}/agents/support-bot/schedules`;

    const memberList = await api.request(path, { token: member.token });
    const memberRead = await api.request(`${path}/${schedule.id}`, { token: member.token });
    const memberCreate = await api.request(path, { ...post(aSchedule()), token: member.token });
    const memberPatch = await api.request(`${path}/${schedule.id}`, {
      ...patch({ enabled: false }),
      token: member.token,
    });
    const memberDelete = await api.request(`${path}/${schedule.id}`, { method: 'DELETE', token: member.token });
    const strangerRead = await api.request(`${path}/${schedule.id}`, { token: stranger.token });
    const strangerDelete = await api.request(`${path}/${schedule.id}`, { method: 'DELETE', token: stranger.token });

    expect(memberList.status).toBe(200);
    expect((await jsonOf(memberRead)).id).toBe(schedule.id);
    expect([memberCreate.status, memberPatch.status, memberDelete.status]).toEqual([403, 403, 403]);
    expect([strangerRead.status, strangerDelete.status]).toEqual([403, 403]);
    expect(await jsonOf(await api.request(`${path}/${schedule.id}`, { token }))).toMatchObject({ enabled: true });
  });

  it('caps schedules per agent with 409, and deleting the agent deletes its schedules', async () => {
    const { api, as, createSchedule } = await setup();
    for (let minute = 0; minute < 10; minute++) await createSchedule(aSchedule({ cron: `${minute} 9 * * *` }));

    const eleventh = await as('/agents/support-bot/schedules', post(aSchedule()));
    const deleteAgent = await as('/agents/support-bot', { method: 'DELETE' });
    const left = await api.db.query('SELECT id FROM schedules');

    expect(await jsonOf(eleventh)).toMatchObject({ status: 409, error: 'schedule_limit_reached' });
    expect(deleteAgent.status).toBe(204);
    expect(left.rows).toEqual([]);
  });

  it('runs every tick exactly once across 3 API replicas on one database, over 20+ ticks', async () => {
    const { as, anotherReplica, createSchedule, scheduleOf, ticksOf, runsOf } = await setup({
      env: { ASTROMESH_SCHEDULE_MIN_INTERVAL_SECONDS: '1' },
      deployed: true,
    });
    await anotherReplica();
    await anotherReplica();

    const schedule = await createSchedule(aSchedule({ cron: '* * * * * *', timezone: 'UTC' }));
    await eventually(async () => expect((await ticksOf(schedule.id)).length).toBeGreaterThanOrEqual(22), {
      timeoutMs: 60_000,
    });
    await as(`/agents/support-bot/schedules/${schedule.id}`, patch({ enabled: false }));
    // Ticks claimed before the pause have their runs started; then nothing is left in flight.
    const ticks = await eventually(async () => {
      const all = await ticksOf(schedule.id);
      expect(all.filter((tick) => tick.status === 'claimed')).toEqual([]);
      return all;
    });
    const runs = await runsOf(schedule.id);
    const view = await scheduleOf(schedule.id);
    const aRun = await jsonOf(await as(`/runs/${ticks[0]?.run_id}`));

    // One tick a second, none missing, none twice (the primary key), each with a run of its own.
    const seconds = ticks.map((tick) => tick.tick_at.getTime() / 1_000);
    expect(seconds.every((second, i) => i === 0 || second === (seconds[i - 1] as number) + 1)).toBe(true);
    expect(ticks.every((tick) => tick.status === 'started' && tick.run_id !== null)).toBe(true);
    const runIds = new Set(runs.map((run) => run.id));
    expect(runs.length).toBe(ticks.length);
    expect(ticks.every((tick) => runIds.has(tick.run_id as string))).toBe(true);
    expect(view).toMatchObject({ skipped_ticks: 0, last_run: { run_id: ticks.at(-1)?.run_id } });
    expect(aRun).toMatchObject({ origin: { kind: 'schedule', id: schedule.id }, agent: 'support-bot' });
    // Counted like any run: each one is in the usage report once served.
    await eventually(
      async () => {
        const served = (await runsOf(schedule.id)).filter((run) => run.status === 'succeeded').length;
        expect(served).toBe(runs.length);
        const usage = await jsonOf(await as('/usage?days=1'));
        expect(usage.total_requests).toBe(runs.length);
      },
      { timeoutMs: 30_000 },
    );
  });

  it('lets exactly one of three replicas racing for the same tick claim it, every time', async () => {
    const { api, createSchedule, ticksOf } = await setup();
    const schedule = await createSchedule(aSchedule({ cron: '0 9 * * *', timezone: 'UTC' }));
    // Three pools, as three replicas have, each with its own connections to the one database.
    const pools = [0, 1, 2].map(() =>
      createDatabase(String(api.db.options.connectionString), { log: pino({ level: 'silent' }) }),
    );
    cleanups.push(async () => {
      for (const pool of pools) await pool.end();
    });
    const rounds = 30;
    const winnersPerRound: number[] = [];

    let dueAt = new Date(schedule.next_run_at);
    for (let round = 0; round < rounds; round++) {
      const nextRunAt = new Date(dueAt.getTime() + 86_400_000);
      const claims = await Promise.all(
        pools.map((pool) => claimTick(pool, { scheduleId: schedule.id, dueAt, nextRunAt, skipped: 0, tickAt: dueAt })),
      );
      winnersPerRound.push(claims.filter(Boolean).length);
      dueAt = nextRunAt;
    }

    expect(winnersPerRound).toEqual(Array.from({ length: rounds }, () => 1));
    expect((await ticksOf(schedule.id)).length).toBe(rounds);
  });

  it('records a tick whose replica stopped between claiming it and starting its run as refused (replica_lost), never runs it', async () => {
    const { api, anotherReplica, createSchedule, scheduleOf, runsOf } = await setup();
    const schedule = await createSchedule(aSchedule({ cron: '0 9 * * *', timezone: 'UTC' }));
    // What a replica that stopped right after its claim leaves: the tick claimed, no run recorded.
    await api.db.query(
      `INSERT INTO schedule_ticks (schedule_id, tick_at, status, claimed_at)
       VALUES ($1, now() - interval '3 minutes', 'claimed', now() - interval '3 minutes')`,
      [schedule.id],
    );
    expect((await scheduleOf(schedule.id)).last_run).toMatchObject({ status: 'starting' });

    await anotherReplica();
    const view = await eventually(async () => {
      const current = await scheduleOf(schedule.id);
      expect(current.last_run?.status).toBe('refused');
      return current;
    });

    expect(view.last_run).toMatchObject({ run_id: null, error: { code: 'replica_lost' } });
    expect(await runsOf(schedule.id)).toEqual([]);
  });

  it('after downtime runs only the latest missed tick within the grace window and counts the skipped ones', async () => {
    const { api, anotherReplica, createSchedule, scheduleOf, ticksOf, runsOf } = await setup({ deployed: true });
    // Every replica down: this test's only one stops ticking (it still answers the routes).
    await api.api.services.schedules.close();
    // Well inside a minute, so the per-minute schedule's next tick cannot come during the test.
    await eventually(() => expect(new Date().getUTCSeconds()).toBeLessThan(40), { timeoutMs: 30_000 });
    const everyMinute = await createSchedule(aSchedule({ cron: '* * * * *', timezone: 'UTC' }));
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000);
    const daily = await createSchedule(
      aSchedule({ cron: `${twoHoursAgo.getUTCMinutes()} ${twoHoursAgo.getUTCHours()} * * *`, timezone: 'UTC' }),
    );
    // The downtime: each schedule's next tick is back where it was when the replicas went down,
    // an hour ago for the per-minute one, this morning's (2 h ago) for the daily one.
    await api.db.query(`UPDATE schedules SET next_run_at = next_run_at - interval '1 hour' WHERE id = $1`, [
      everyMinute.id,
    ]);
    await api.db.query(`UPDATE schedules SET next_run_at = next_run_at - interval '1 day' WHERE id = $1`, [daily.id]);
    const firstTickAfterDowntime = new Date(everyMinute.next_run_at);
    const dailyNext = daily.next_run_at;

    await anotherReplica();
    const caughtUp = await eventually(async () => {
      const view = await scheduleOf(everyMinute.id);
      expect(view.last_run?.run_id).toEqual(expect.any(String));
      return view;
    });
    const dailyView = await eventually(async () => {
      const view = await scheduleOf(daily.id);
      expect(view.next_run_at).toBe(dailyNext);
      return view;
    });

    // 60 ticks were missed; the last (under a minute old, inside the 60 s window) runs, 59 are skipped.
    const missedTicks = (await ticksOf(everyMinute.id)).filter((tick) => tick.tick_at < firstTickAfterDowntime);
    expect(missedTicks.map((tick) => tick.tick_at.toISOString())).toEqual([
      new Date(firstTickAfterDowntime.getTime() - 60_000).toISOString(),
    ]);
    expect(caughtUp.skipped_ticks).toBe(59);
    const runIds = (await runsOf(everyMinute.id)).map((run) => run.id);
    expect(runIds).toContain(missedTicks[0]?.run_id);
    expect(runIds.length).toBe((await ticksOf(everyMinute.id)).length);
    // The daily tick is 2 h old, past its 1 h window: skipped, not run, and the next is tomorrow's.
    expect(dailyView).toMatchObject({ skipped_ticks: 1, last_run: null, next_run_at: dailyNext });
    expect(await runsOf(daily.id)).toEqual([]);
  });

  it('refuses the ticks of an agent that is not deployed as agent_not_deployed, and starts no run', async () => {
    const { as, createSchedule, ticksOf, runsOf } = await setup({
      env: { ASTROMESH_SCHEDULE_MIN_INTERVAL_SECONDS: '1' },
    });

    const schedule = await createSchedule(aSchedule({ cron: '* * * * * *', timezone: 'UTC' }));
    const ticks = await eventually(async () => {
      const all = await ticksOf(schedule.id);
      expect(all.filter((tick) => tick.status === 'refused').length).toBeGreaterThanOrEqual(2);
      return all;
    });
    await as(`/agents/support-bot/schedules/${schedule.id}`, patch({ enabled: false }));

    expect(ticks.find((tick) => tick.status === 'refused')).toMatchObject({
      run_id: null,
      error: { code: 'agent_not_deployed' },
    });
    expect(await runsOf(schedule.id)).toEqual([]);
  });

  it('records a tick over the agent’s budget as refused with its code, starts no run and does not retry it', async () => {
    const { as, createSchedule, scheduleOf, ticksOf, runsOf } = await setup({
      env: { ASTROMESH_SCHEDULE_MIN_INTERVAL_SECONDS: '1' },
      deployed: true,
    });
    const limited = await as('/agents/support-bot/limits', put({ daily_runs: 0, daily_tokens: null }));
    expect(limited.status, await limited.clone().text()).toBe(200);

    const schedule = await createSchedule(aSchedule({ cron: '* * * * * *', timezone: 'UTC' }));
    const refused = await eventually(
      async () => {
        const ticks = await ticksOf(schedule.id);
        expect(ticks.filter((tick) => tick.status === 'refused').length).toBeGreaterThanOrEqual(3);
        return ticks;
      },
      { timeoutMs: 30_000 },
    );
    await as(`/agents/support-bot/schedules/${schedule.id}`, patch({ enabled: false }));
    const view = await scheduleOf(schedule.id);
    const usage = await jsonOf(await as('/usage?days=1'));

    expect(refused.filter((tick) => tick.status === 'refused')[0]).toMatchObject({
      run_id: null,
      error: { code: 'budget_exceeded' },
    });
    // Each tick is tried once: the next one is a second later, never the same tick again.
    const seconds = refused.map((tick) => tick.tick_at.getTime() / 1_000);
    expect(seconds.every((second, i) => i === 0 || second === (seconds[i - 1] as number) + 1)).toBe(true);
    expect(view.last_run).toMatchObject({ status: 'refused', run_id: null, error: { code: 'budget_exceeded' } });
    expect(await runsOf(schedule.id)).toEqual([]);
    expect(usage.total_requests).toBe(0);
  });
});

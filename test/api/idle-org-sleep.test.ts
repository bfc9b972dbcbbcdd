import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-provider.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { aSupportBot } from '../support/a-support-bot.ts';
import { eventually } from '../support/eventually.ts';
import { jsonOf } from '../support/json-of.ts';
import { openAgentSocket } from '../support/open-agent-socket.ts';
import { orgRuntimePids } from '../support/org-runtime-pids.ts';
import { post } from '../support/post.ts';
import { startTestApi, type TestApi } from '../support/start-test-api.ts';

// Issue 13: an org whose runtime served nothing for ASTROMESH_ORG_IDLE_SECONDS sleeps (local
// backend: its astromeshd process stops), and the next run, test or stream wakes it.

// Long enough for a test's own calls, short enough to wait for in a test.
const idleSeconds = '1';
const sleepTimeoutMs = 15_000;

describe('idle orgs sleep on the local backend, and the next call wakes them', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function aFakeOpenAi(): Promise<FakeProvider> {
    const fake = await startFakeProvider('openai');
    cleanups.push(() => fake.close());
    return fake;
  }

  /** An API whose orgs sleep after a second, and an org of it with support-bot deployed, asleep. */
  async function aSleepingOrg(env: Record<string, string> = {}) {
    const api = await startTestApi({ env: { ASTROMESH_ORG_IDLE_SECONDS: idleSeconds, ...env } });
    cleanups.push(() => api.stop());
    const fake = await aFakeOpenAi();
    const { token, org, as } = await api.signIn();
    await as('/providers', post({ provider: 'openai', api_key: 'sk-test-key', base_url: fake.baseUrl }));
    await as('/agents', post(aSupportBot));
    const deployed = await as('/agents/support-bot/deploy', post());
    if (deployed.status !== 200) throw new Error(`deploy failed: ${JSON.stringify(await deployed.json())}`);
    await eventually(() => expect(pidsOf(api, org)).toEqual([]), { timeoutMs: sleepTimeoutMs });
    return { api, fake, token, org, as };
  }

  const pidsOf = (api: TestApi, org: string) => orgRuntimePids({ stateDir: api.stateDir, org });

  it('stops the runtime process of an org that served nothing for the idle time', async () => {
    const api = await startTestApi({ env: { ASTROMESH_ORG_IDLE_SECONDS: idleSeconds } });
    cleanups.push(() => api.stop());
    const fake = await aFakeOpenAi();
    const { org, as } = await api.signIn();
    await as('/providers', post({ provider: 'openai', api_key: 'sk-test-key', base_url: fake.baseUrl }));
    await as('/agents', post(aSupportBot));
    const deployed = await as('/agents/support-bot/deploy', post());

    await eventually(() => expect(pidsOf(api, org)).toEqual([]), { timeoutMs: sleepTimeoutMs });

    // The deploy answered once a runtime process served the agent (it reloads and reports it).
    expect(deployed.status).toBe(200);
    expect(await jsonOf(await as('/agents/support-bot'))).toMatchObject({ status: 'deployed' });
  });

  it('wakes a sleeping org for the next run, which answers 200', async () => {
    const { api, fake, org, as } = await aSleepingOrg();
    fake.enqueue(fakeReply.text('Order 12 ships today.'));

    const run = await as('/agents/support-bot/run', post({ query: 'Where is order 12?' }));

    expect(run.status).toBe(200);
    expect(await jsonOf(run)).toMatchObject({ answer: 'Order 12 ships today.' });
    expect(pidsOf(api, org)).toHaveLength(1);
  });

  it('wakes a sleeping org for a test call', async () => {
    const { api, org, as } = await aSleepingOrg();

    const test = await as('/agents/support-bot/test', post({ query: 'Hello' }));

    expect(test.status).toBe(200);
    expect(pidsOf(api, org)).toHaveLength(1);
  });

  it('wakes a sleeping org for a stream, which ends with its answer', async () => {
    const { api, fake, token, org } = await aSleepingOrg();
    fake.enqueue(fakeReply.text('Streamed after a wake.'));
    const socket = await openAgentSocket(api.url, {
      path: `/api/v1/orgs/${org}/agents/support-bot/stream?token=${encodeURIComponent(token)}`,
    });
    cleanups.push(async () => socket.close());

    socket.send({ query: 'Hello' });
    const events = await socket.untilEnd();

    expect(events.at(-1)).toMatchObject({ type: 'done', answer: 'Streamed after a wake.' });
    expect(pidsOf(api, org)).toHaveLength(1);
  });

  it('answers 10 concurrent runs during one wake, all 200, with one runtime process started', async () => {
    const { api, org, as } = await aSleepingOrg();

    const runs = await Promise.all(
      Array.from({ length: 10 }, (_, index) => as('/agents/support-bot/run', post({ query: `Call ${index}` }))),
    );

    expect(runs.map((run) => run.status)).toEqual(Array(10).fill(200));
    expect(pidsOf(api, org)).toHaveLength(1);
  });

  it('answers a run whose wake cannot start the runtime as a call to a dead runtime: 502 runtime_unavailable', async () => {
    const { api, org, as } = await aSleepingOrg({ ASTROMESH_RUNTIME_RETRY_SECONDS: '1' });
    // A file where the runtime's data directory goes: astromeshd exits at start, naming --data-dir.
    const dataDir = join(api.stateDir, 'orgs', org, 'data');
    rmSync(dataDir, { recursive: true, force: true });
    writeFileSync(dataDir, 'not a directory');

    const run = await as('/agents/support-bot/run', post({ query: 'Hello' }));

    expect(run.status).toBe(502);
    expect(await jsonOf(run)).toMatchObject({ error: 'runtime_unavailable', status: 502 });
  });

  it('keeps an org awake while a run outlasts the idle time', async () => {
    const { api, fake, org, as } = await aSleepingOrg();
    await as('/agents/support-bot/run', post({ query: 'Wake up' }));
    const [awake] = pidsOf(api, org);
    // The model thinks for three idle times: the run is activity from its start to its end.
    fake.enqueue(fakeReply.text('Thought it through.', { delayMs: 3_000 }));

    const slow = await as('/agents/support-bot/run', post({ query: 'Think hard' }));

    expect(slow.status).toBe(200);
    expect(pidsOf(api, org)).toEqual([awake]);
  });

  it('keeps an org awake while a deploy waits longer than the idle time', async () => {
    const { api, org, as } = await aSleepingOrg();
    expect((await as('/agents/support-bot/run', post({ query: 'Wake up' }))).status).toBe(200);
    const [awake] = pidsOf(api, org);
    expect(awake).toBeDefined();
    await as('/agents', post({ ...aSupportBot, name: 'second-bot' }));
    // Another deploy of the org holds its deployment lock for three idle times, so this one waits
    // (as a deploy waits for a slow rollout on Kubernetes): all that time is the org's activity.
    const holder = await api.db.connect();
    cleanups.push(async () => holder.release());
    await holder.query('BEGIN');
    const { rows } = await holder.query<{ id: string }>('SELECT id FROM orgs WHERE slug = $1', [org]);
    await holder.query("SELECT pg_advisory_xact_lock(hashtext('astromesh-org-deployment:' || $1))", [rows[0]?.id]);
    const deploying = as('/agents/second-bot/deploy', post());

    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const duringDeploy = pidsOf(api, org);
    await holder.query('COMMIT');
    const deployed = await deploying;

    expect(duringDeploy).toEqual([awake]);
    expect(deployed.status).toBe(200);
  });

  it('puts a woken org to sleep again once it is idle anew', async () => {
    const { api, org, as } = await aSleepingOrg();
    await as('/agents/support-bot/run', post({ query: 'Hello' }));
    const woken = pidsOf(api, org);

    await eventually(() => expect(pidsOf(api, org)).toEqual([]), { timeoutMs: sleepTimeoutMs });

    expect(woken).toHaveLength(1);
  });
});

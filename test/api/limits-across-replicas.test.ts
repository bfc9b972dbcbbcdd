import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../fakes/fake-provider.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { devLogin } from '../support/dev-login.ts';
import { eventually } from '../support/eventually.ts';
import { jsonOf } from '../support/json-of.ts';
import { type AgentSocket, openAgentSocket } from '../support/open-agent-socket.ts';
import { type ApiMainProcess, spawnApiMain } from '../support/spawn-api-main.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-database.ts';

// Three Cloud API processes (`node api/main.ts`, local backend) on one PostgreSQL database, as the
// chart runs several replicas: the daily run limit and the stream limit are each the org's, not
// each replica's. The local backend starts, in each replica, the runtimes of the orgs deployed when
// it starts; so the org that runs is deployed through the first replica before the other two start.
// The replicas are shared by the tests of this file (each a process with its own runtimes: three
// per test would hold the machine's cores for minutes); each test works in an org of its own.

const dailyRuns = 10;
const maxStreams = 5;

interface Replica {
  name: string;
  url: string;
  api: ApiMainProcess;
}

interface Caller {
  org: string;
  token: string;
  /** `/api/v1/orgs/<org><path>` on `replica`, with the caller's token. */
  call(replica: Replica, path: string, body?: unknown): Promise<Response>;
}

describe('limits shared by three API replicas on one database', { timeout: 120_000 }, () => {
  let database: TestDatabase;
  let fake: FakeProvider;
  let replicas: Replica[];
  let deployed: Caller;
  const secrets = {
    ASTROMESH_JWT_SECRET: randomBytes(48).toString('base64'),
    ASTROMESH_MASTER_KEY: randomBytes(32).toString('base64'),
  };
  const stateDirs: string[] = [];
  const spawned: ApiMainProcess[] = [];
  const sockets: AgentSocket[] = [];

  async function startReplica(name: string, env: Record<string, string> = {}): Promise<Replica> {
    const stateDir = mkdtempSync(join(tmpdir(), `astromesh-replica-${name}-`));
    stateDirs.push(stateDir);
    const api = spawnApiMain({
      env: {
        ...secrets,
        DATABASE_URL: database.url,
        ASTROMESH_STATE_DIR: stateDir,
        PORT: '0',
        ASTROMESH_DAILY_RUNS: String(dailyRuns),
        ASTROMESH_MAX_STREAMS: String(maxStreams),
        ...env,
      },
    });
    spawned.push(api);
    const listening = await api.waitForLog('astromesh api listening');
    return { name, url: String(listening.url), api };
  }

  async function signIn(replica: Replica): Promise<Caller> {
    const login = await devLogin(replica.url);
    const caller: Caller = {
      org: login.org,
      token: login.token,
      call: (target, path, body) =>
        fetch(`${target.url}/api/v1/orgs/${caller.org}${path}`, {
          method: body === undefined ? 'GET' : 'POST',
          headers: { authorization: `Bearer ${caller.token}`, 'content-type': 'application/json' },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        }),
    };
    return caller;
  }

  async function openStream(replica: Replica, caller: Caller): Promise<AgentSocket> {
    const path = `/api/v1/orgs/${caller.org}/agents/support-bot/stream?token=${encodeURIComponent(caller.token)}`;
    const socket = await openAgentSocket(replica.url, { path });
    sockets.push(socket);
    return socket;
  }

  /** A stream the replica accepted and serves: its query reaches the (draft) agent. */
  async function expectServed(socket: AgentSocket): Promise<void> {
    socket.send({ query: 'Hello' });
    expect(await socket.next()).toMatchObject({ type: 'error', error: 'agent_not_deployed' });
  }

  async function expectRefused(socket: AgentSocket): Promise<void> {
    expect(await socket.next()).toMatchObject({ type: 'error', error: 'stream_limit_reached', status: 429 });
    expect(await socket.closed).toBe(1013);
  }

  /** A fresh org with a draft support-bot: streams open on it without any runtime. */
  async function anOrgWithADraftAgent(): Promise<Caller> {
    const [first] = replicas as [Replica];
    const caller = await signIn(first);
    await caller.call(first, '/agents', { name: 'support-bot', step1: { model: 'openai/gpt-4o-mini' } });
    return caller;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    fake = await startFakeProvider('openai', { defaultReply: fakeReply.text('Answered.') });
    const first = await startReplica('a');
    deployed = await signIn(first);
    await deployed.call(first, '/providers', { provider: 'openai', api_key: 'sk-test-key', base_url: fake.baseUrl });
    await deployed.call(first, '/agents', { name: 'support-bot', step1: { model: 'openai/gpt-4o-mini' } });
    const deploy = await deployed.call(first, '/agents/support-bot/deploy', {});
    if (deploy.status !== 200) throw new Error(`deploy failed: ${JSON.stringify(await deploy.json())}`);
    replicas = [first, ...(await Promise.all([startReplica('b'), startReplica('c')]))];
  }, 120_000);

  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((socket) => socket.close()));
  });

  afterAll(async () => {
    await Promise.all(spawned.map((api) => api.stop()));
    await fake?.close();
    await database?.drop();
    for (const dir of stateDirs) rmSync(dir, { recursive: true, force: true });
  });

  it(`lets exactly ASTROMESH_DAILY_RUNS (${dailyRuns}) runs through, however they spread over the replicas`, async () => {
    const runOn = (replica: Replica) => deployed.call(replica, '/agents/support-bot/run', { query: 'Hello' });
    const firstOnEach = [];
    for (const replica of replicas) firstOnEach.push(await runOn(replica));

    const rest = await Promise.all(Array.from({ length: 27 }, (_, index) => runOn(replicas[index % 3] as Replica)));
    const statuses = rest.map((response) => response.status);

    expect(firstOnEach.map((response) => response.status)).toEqual([200, 200, 200]);
    expect(statuses.filter((status) => status === 200)).toHaveLength(dailyRuns - 3);
    expect(statuses.filter((status) => status === 429)).toHaveLength(27 - (dailyRuns - 3));
    // A run's usage record is written after its answer (and retried if the write fails): on a
    // busy machine the last one can land a moment after the answer.
    await eventually(async () =>
      expect(await jsonOf(await deployed.call(replicas[1] as Replica, '/usage?days=1'))).toMatchObject({
        total_requests: dailyRuns,
        remaining_today: 0,
      }),
    );
  });

  it(`allows ${maxStreams} open streams per org across the replicas and refuses the next on every one`, async () => {
    const [a, b, c] = replicas as [Replica, Replica, Replica];
    const caller = await anOrgWithADraftAgent();
    for (const replica of [a, a, b, b, c]) await expectServed(await openStream(replica, caller));

    for (const replica of [a, b, c]) await expectRefused(await openStream(replica, caller));
  });

  it('gives a stream closed on one replica its slot back on another', async () => {
    const [a, b, c] = replicas as [Replica, Replica, Replica];
    const caller = await anOrgWithADraftAgent();
    const open: AgentSocket[] = [];
    for (const replica of [a, a, b, b, c]) open.push(await openStream(replica, caller));

    await open[2]?.close();

    await eventually(async () => expectServed(await openStream(c, caller)));
  });

  it('frees the slots of a replica that shuts down at once, without waiting for their leases to lapse', async () => {
    const [a] = replicas as [Replica];
    const caller = await anOrgWithADraftAgent();
    // A lease far longer than the test: only the release at shutdown can free these slots.
    const leaving = await startReplica('leaving', { ASTROMESH_STREAM_LEASE_SECONDS: '3600' });
    for (let index = 0; index < maxStreams; index++) await expectServed(await openStream(leaving, caller));
    await expectRefused(await openStream(a, caller));

    await leaving.api.stop();

    await expectServed(await openStream(a, caller));
  });

  it('frees the slots of a replica killed with SIGKILL once its leases lapse', async () => {
    const [a, b] = replicas as [Replica, Replica];
    const caller = await anOrgWithADraftAgent();
    const doomed = await startReplica('doomed', { ASTROMESH_STREAM_LEASE_SECONDS: '2' });
    for (let index = 0; index < maxStreams; index++) await expectServed(await openStream(doomed, caller));
    await expectRefused(await openStream(a, caller));

    await doomed.api.kill();

    // Nothing released them: the dead replica's leases stop counting when they lapse, on every
    // replica. Each lapses 2 s after its own last renewal, so they free up one by one.
    await eventually(async () => expectServed(await openStream(b, caller)), { timeoutMs: 20_000 });
    for (let index = 1; index < maxStreams; index++)
      await eventually(async () => expectServed(await openStream(a, caller)), { timeoutMs: 20_000 });
    await expectRefused(await openStream(a, caller));
  });
});

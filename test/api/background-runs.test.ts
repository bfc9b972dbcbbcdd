import { randomBytes, randomUUID } from 'node:crypto';
import { EventSource } from 'eventsource';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeReply } from '../fakes/fake-reply.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { aSupportBot } from '../support/a-support-bot.ts';
import { eventually } from '../support/eventually.ts';
import { jsonOf } from '../support/json-of.ts';
import { orgRuntimePid } from '../support/org-runtime-pid.ts';
import { pauseProcessTree } from '../support/pause-process-tree.ts';
import { post } from '../support/post.ts';
import { type ReadEvent, readServerSentEvents } from '../support/read-server-sent-events.ts';
import { startApiReplica } from '../support/start-api-replica.ts';
import { startSignedInTestApi } from '../support/start-test-api.ts';

const finalTypes = ['done', 'error', 'cancelled'];

describe('background runs', { timeout: 90_000 }, () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** An org whose openai key points at a fake, support-bot deployed; a second replica on demand. */
  async function setupDeployed(env: Record<string, string> = {}) {
    // Both replicas sign and read tokens with the same secret, as the chart's replicas do.
    const replicaEnv = {
      ASTROMESH_JWT_SECRET: randomBytes(48).toString('base64'),
      ASTROMESH_MASTER_KEY: randomBytes(32).toString('base64'),
      ...env,
    };
    const { api, token, org, as } = await startSignedInTestApi((stop) => cleanups.push(stop), { env: replicaEnv });
    const fake = await startFakeProvider('openai');
    cleanups.push(() => fake.close());
    await as('/providers', post({ provider: 'openai', api_key: 'sk-test-key', base_url: fake.baseUrl }));
    await as('/agents', post(aSupportBot));
    const deploy = await as('/agents/support-bot/deploy', post());
    expect(deploy.status, await deploy.clone().text()).toBe(200);

    const secondReplica = async () => {
      const replica = await startApiReplica(api, replicaEnv);
      cleanups.push(() => replica.stop());
      return replica;
    };
    const startRun = async (body: unknown = { query: 'Hello' }) => {
      const response = await as('/agents/support-bot/runs', post(body));
      expect(response.status, await response.clone().text()).toBe(202);
      return jsonOf(response);
    };
    const runOf = async (id: string) => jsonOf(await as(`/runs/${id}`));
    const untilFinished = (id: string) =>
      eventually(
        async () => {
          const run = await runOf(id);
          expect(['succeeded', 'failed', 'cancelled']).toContain(run.status);
          return run;
        },
        { timeoutMs: 30_000 },
      );
    /** Every event of the run from the start (or after `lastEventId`), read until the final one. */
    const eventsOf = async (id: string, options: { lastEventId?: string; url?: string } = {}) => {
      const response = await fetch(`${options.url ?? api.url}/api/v1/orgs/${org}/runs/${id}/events`, {
        headers: {
          authorization: `Bearer ${token}`,
          ...(options.lastEventId ? { 'last-event-id': options.lastEventId } : {}),
        },
      });
      expect(response.status).toBe(200);
      const events: ReadEvent[] = [];
      for await (const event of readServerSentEvents(response)) events.push(event);
      return events;
    };
    return { api, token, org, as, fake, secondReplica, startRun, runOf, untilFinished, eventsOf };
  }

  it("answers 202 at once, and the run succeeds with the fake provider's answer, counted like a run", async () => {
    const { as, fake, untilFinished } = await setupDeployed();
    fake.enqueue(fakeReply.text('Your order ships on Monday.', { usage: { inputTokens: 12, outputTokens: 7 } }));

    const response = await as('/agents/support-bot/runs', post({ query: 'When does my order ship?' }));
    const started = await jsonOf(response.clone());
    const run = await untilFinished(started.id);
    // A served run's usage record is written after its answer, batched with others.
    const usage = await eventually(async () => {
      const report = await jsonOf(await as('/usage?days=1'));
      expect(report.total_requests).toBe(1);
      return report;
    });

    expect(response.status).toBe(202);
    expect(response.headers.get('x-ratelimit-remaining')).toBe('999');
    expect(started).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      agent: 'support-bot',
      status: expect.stringMatching(/^(queued|running)$/),
      origin: { kind: 'api', id: null },
      links: { events: `${started.links.self}/events`, cancel: `${started.links.self}/cancel` },
    });
    expect(run).toMatchObject({
      status: 'succeeded',
      error: null,
      started_at: expect.any(String),
      finished_at: expect.any(String),
      result: {
        answer: 'Your order ships on Monday.',
        session_id: expect.any(String),
        tokens_used: 19,
        input_tokens: 12,
        output_tokens: 7,
        model: 'openai/gpt-4o-mini',
        version: 1,
        trace_id: expect.any(String),
      },
    });
    expect(usage).toMatchObject({ total_requests: 1, remaining_today: 999 });
  });

  it('streams the run’s events to an EventSource client: tokens, then done with the answer', async () => {
    const { api, org, token, fake, startRun } = await setupDeployed();
    fake.enqueue(fakeReply.text('Three words here.'));
    const run = await startRun();

    const events = await new Promise<{ id: string; data: { type: string; [key: string]: unknown } }[]>(
      (resolve, reject) => {
        const received: { id: string; data: { type: string } }[] = [];
        const source = new EventSource(`${api.url}/api/v1/orgs/${org}/runs/${run.id}/events`, {
          fetch: (url, init) => fetch(url, { ...init, headers: { ...init.headers, authorization: `Bearer ${token}` } }),
        });
        source.onmessage = (message) => {
          received.push({ id: message.lastEventId, data: JSON.parse(message.data) });
          if (finalTypes.includes(received.at(-1)?.data.type ?? '')) {
            source.close();
            resolve(received);
          }
        };
        source.onerror = (err) => {
          source.close();
          reject(new Error(`event source failed: ${err.message}`));
        };
      },
    );

    const tokens = events.filter((event) => event.data.type === 'token');
    expect(tokens.map((event) => event.data.content).join('')).toBe('Three words here.');
    expect(events.map((event) => event.id)).toEqual(events.map((_, index) => String(index + 1)));
    expect(events.at(-1)?.data).toMatchObject({ type: 'done', answer: 'Three words here.', version: 1 });
  });

  it('resumes on a second replica after a forced disconnect: no event lost, none repeated', async () => {
    const { api, org, token, fake, startRun, eventsOf, untilFinished, secondReplica } = await setupDeployed();
    const replica = await secondReplica();
    const words = Array.from({ length: 40 }, (_, index) => `word${index}`).join(' ');
    // Slow enough that the run is usually still going when the reader moves to the other replica.
    fake.enqueue(fakeReply.text(words, { chunkDelayMs: 25 }));
    const run = await startRun({ query: 'Say forty words' });

    const connection = new AbortController();
    const response = await fetch(`${api.url}/api/v1/orgs/${org}/runs/${run.id}/events`, {
      headers: { authorization: `Bearer ${token}` },
      signal: connection.signal,
    });
    const beforeDisconnect: ReadEvent[] = [];
    for await (const event of readServerSentEvents(response)) {
      beforeDisconnect.push(event);
      if (beforeDisconnect.length === 5) break;
    }
    connection.abort();
    const afterReconnect = await eventsOf(run.id, { lastEventId: beforeDisconnect.at(-1)?.id, url: replica.url });
    await untilFinished(run.id);
    const whole = await eventsOf(run.id);

    expect(beforeDisconnect).toHaveLength(5);
    expect([...beforeDisconnect, ...afterReconnect]).toEqual(whole);
    expect(whole.map((event) => event.id)).toEqual(whole.map((_, index) => String(index + 1)));
    expect(
      whole
        .filter((event) => event.data.type === 'token')
        .map((event) => event.data.content)
        .join(''),
    ).toBe(words);
    expect(whole.at(-1)?.data).toMatchObject({ type: 'done', answer: words });
  });

  it('cancels a running run from another replica: the model request is dropped and the run ends cancelled', async () => {
    const { fake, startRun, untilFinished, eventsOf, secondReplica, org, token } = await setupDeployed();
    const replica = await secondReplica();
    fake.enqueue(fakeReply.hang());
    const run = await startRun();
    await eventually(() => expect(fake.requestCount).toBe(1));

    const cancel = await replica.request(`/orgs/${org}/runs/${run.id}/cancel`, { method: 'POST', token });
    const cancelled = await untilFinished(run.id);
    const events = await eventsOf(run.id);

    expect(cancel.status).toBe(202);
    expect(await jsonOf(cancel)).toMatchObject({ id: run.id, cancel_requested: true });
    expect(cancelled).toMatchObject({ status: 'cancelled', cancel_requested: true, result: null });
    expect(events.at(-1)?.data).toEqual({ type: 'cancelled' });
    await eventually(() => expect(fake.lastRequest.wasAbortedByClient).toBe(true));
  });

  it('does not count a run cancelled while it waited for a slot, before any model saw it', async () => {
    const { as, fake, startRun, untilFinished, eventsOf } = await setupDeployed({ ASTROMESH_MAX_BACKGROUND_RUNS: '1' });
    fake.enqueue(fakeReply.hang());
    const holdingTheSlot = await startRun({ query: 'Take the only slot' });
    await eventually(() => expect(fake.requestCount).toBe(1));

    const waiting = await startRun({ query: 'Wait for it' });
    const cancel = await as(`/runs/${waiting.id}/cancel`, post());
    const usageAfterCancel = await jsonOf(await as('/usage?days=1'));
    await as(`/runs/${holdingTheSlot.id}/cancel`, post());
    await untilFinished(holdingTheSlot.id);

    expect(waiting.status).toBe('queued');
    expect(cancel.status).toBe(202);
    expect(await jsonOf(cancel)).toMatchObject({ status: 'cancelled', started_at: null });
    expect(await eventsOf(waiting.id)).toEqual([{ id: '1', data: { type: 'cancelled' } }]);
    expect(usageAfterCancel).toMatchObject({ remaining_today: 999 });
    expect(fake.requestCount).toBe(1);
  });

  it('gives back the run of one cancelled before its query reached the runtime: not counted', async () => {
    const { api, org, as, fake, startRun, untilFinished, eventsOf } = await setupDeployed();
    // A frozen runtime accepts the connection but never the query: the run waits, not yet sent.
    const frozen = pauseProcessTree(orgRuntimePid({ stateDir: api.stateDir, org }));
    cleanups.push(async () => frozen.resume());
    const run = await startRun();
    const usageWhileWaiting = await jsonOf(await as('/usage?days=1'));

    const cancel = await as(`/runs/${run.id}/cancel`, post());
    const cancelled = await untilFinished(run.id);
    const usageAfterCancel = await jsonOf(await as('/usage?days=1'));

    expect(cancel.status).toBe(202);
    expect(cancelled.status).toBe('cancelled');
    expect(await eventsOf(run.id)).toEqual([{ id: '1', data: { type: 'cancelled' } }]);
    expect(usageWhileWaiting).toMatchObject({ remaining_today: 999 });
    expect(usageAfterCancel).toMatchObject({ total_requests: 0, remaining_today: 1000 });
    expect(fake.requestCount).toBe(0);
  });

  it('fails the runs a replica still has when it stops, and counts none that no model saw', async () => {
    const { as, org, token, runOf, eventsOf, secondReplica } = await setupDeployed();
    // This replica runs no runtime of the org: its runs wait for one, their query never sent.
    const replica = await secondReplica();
    const started = await replica.request(`/orgs/${org}/agents/support-bot/runs`, { ...post({ query: 'Hi' }), token });
    const run = await jsonOf(started);

    await replica.stop();
    const stopped = await runOf(run.id);
    const events = await eventsOf(run.id);
    const usage = await jsonOf(await as('/usage?days=1'));

    expect(started.status).toBe(202);
    expect(stopped).toMatchObject({ status: 'failed', error: { code: 'replica_stopped' } });
    expect(events.map((event) => event.data)).toEqual([
      { type: 'error', error: 'replica_stopped', message: expect.any(String), status: 503 },
    ]);
    expect(usage).toMatchObject({ total_requests: 0, remaining_today: 1000 });
  });

  it('ends the stream of a finished run with 204 once its last event was read, so clients stop reconnecting', async () => {
    const { org, token, api, startRun, eventsOf, untilFinished } = await setupDeployed();
    const run = await startRun();
    await untilFinished(run.id);
    const events = await eventsOf(run.id);

    const afterLast = await fetch(`${api.url}/api/v1/orgs/${org}/runs/${run.id}/events`, {
      headers: { authorization: `Bearer ${token}`, 'last-event-id': events.at(-1)?.id ?? '' },
    });

    expect(afterLast.status).toBe(204);
    expect(events.at(-1)?.data.type).toBe('done');
  });

  it('fails the runs of a replica that stopped renewing their lease, when another replica sweeps', async () => {
    const { api, org, runOf, eventsOf, secondReplica } = await setupDeployed();
    const lostRunId = randomUUID();
    await api.db.query(
      `INSERT INTO background_runs (id, org_id, agent_name, status, origin_kind, holder, lease_expires_at, started_at)
       SELECT $1, id, 'support-bot', 'running', 'api', 'a-replica-that-died', now() - interval '1 minute', now()
         FROM orgs WHERE slug = $2`,
      [lostRunId, org],
    );
    await api.db.query(
      `INSERT INTO background_run_events (run_id, seq, type, data) VALUES ($1, 1, 'token', '{"type":"token","content":"Hel"}')`,
      [lostRunId],
    );

    await secondReplica();
    const run = await eventually(async () => {
      const current = await runOf(lostRunId);
      expect(current.status).toBe('failed');
      return current;
    });
    const events = await eventsOf(lostRunId);

    expect(run.error).toMatchObject({ code: 'replica_lost' });
    expect(events.map((event) => event.data.type)).toEqual(['token', 'error']);
    expect(events.at(-1)).toMatchObject({ id: '2', data: { error: 'replica_lost', status: 503 } });
  });

  it('prunes the events of runs finished longer ago than the retention, and keeps the runs', async () => {
    const { api, org, as, runOf, secondReplica } = await setupDeployed({ ASTROMESH_RUN_EVENTS_RETENTION_HOURS: '1' });
    const finishedRun = async (finishedMinutesAgo: number) => {
      const id = randomUUID();
      await api.db.query(
        `INSERT INTO background_runs (id, org_id, agent_name, status, origin_kind, started_at, finished_at)
         SELECT $1, id, 'support-bot', 'cancelled', 'api', now() - make_interval(mins => $3 + 1), now() - make_interval(mins => $3)
           FROM orgs WHERE slug = $2`,
        [id, org, finishedMinutesAgo],
      );
      await api.db.query(
        `INSERT INTO background_run_events (run_id, seq, type, data) VALUES ($1, 1, 'cancelled', '{"type":"cancelled"}')`,
        [id],
      );
      return id;
    };
    const old = await finishedRun(120);
    const recent = await finishedRun(30);
    const eventCountOf = async (id: string) =>
      (await api.db.query('SELECT count(*)::int AS count FROM background_run_events WHERE run_id = $1', [id])).rows[0]
        .count;

    // A replica prunes when it starts, then every 10 minutes.
    await secondReplica();
    await eventually(async () => expect(await eventCountOf(old)).toBe(0));
    const oldEvents = await as(`/runs/${old}/events`);

    expect(oldEvents.status).toBe(204);
    expect(await eventCountOf(recent)).toBe(1);
    expect((await runOf(old)).status).toBe('cancelled');
  });

  it('lists the agent’s runs newest first, a page at a time', async () => {
    const { as, startRun, untilFinished } = await setupDeployed();
    const first = await startRun({ query: 'One' });
    await untilFinished(first.id);
    const second = await startRun({ query: 'Two' });
    await untilFinished(second.id);

    const page1 = await jsonOf(await as('/agents/support-bot/runs?limit=1'));
    const page2 = await jsonOf(await as(`/agents/support-bot/runs?limit=1&cursor=${page1.next_cursor}`));

    expect(page1.runs.map((run: { id: string }) => run.id)).toEqual([second.id]);
    expect(page2.runs.map((run: { id: string }) => run.id)).toEqual([first.id]);
    expect(page2.next_cursor).toBeNull();
  });

  it('refuses another org’s credentials on the run, its events and its cancel, and does not find it from that org', async () => {
    const { api, startRun, untilFinished, org } = await setupDeployed();
    const run = await startRun();
    await untilFinished(run.id);
    const stranger = await api.signIn();

    const answers = await Promise.all([
      api.request(`/orgs/${org}/runs/${run.id}`, { token: stranger.token }),
      api.request(`/orgs/${org}/runs/${run.id}/events`, { token: stranger.token }),
      api.request(`/orgs/${org}/runs/${run.id}/cancel`, { method: 'POST', token: stranger.token }),
      api.request(`/orgs/${org}/agents/support-bot/runs`, { ...post({ query: 'Hi' }), token: stranger.token }),
    ]);
    const fromTheirOrg = await stranger.as(`/runs/${run.id}`);

    expect(answers.map((answer) => answer.status)).toEqual([403, 403, 403, 403]);
    expect(fromTheirOrg.status).toBe(404);
  });

  it('refuses bad input with a 4xx that names the field, and starts no run', async () => {
    const { api, as, org, token, startRun } = await setupDeployed();
    const run = await startRun();
    await as('/agents', post({ name: 'draft-bot', step1: { model: 'openai/gpt-4o-mini' } }));

    const noQuery = await as('/agents/support-bot/runs', post({}));
    const badRunId = await as('/runs/not-a-run');
    const badLastEventId = await fetch(`${api.url}/api/v1/orgs/${org}/runs/${run.id}/events`, {
      headers: { authorization: `Bearer ${token}`, 'last-event-id': 'yesterday' },
    });
    const unknownRun = await as(`/runs/${randomUUID()}`);
    const unknownAgent = await as('/agents/no-such-bot/runs', post({ query: 'Hi' }));
    const draft = await as('/agents/draft-bot/runs', post({ query: 'Hi' }));
    const runs = await jsonOf(await as('/agents/support-bot/runs'));

    expect(noQuery.status).toBe(400);
    expect((await jsonOf(noQuery)).message).toMatch(/^query: /);
    expect(badRunId.status).toBe(400);
    expect((await jsonOf(badRunId)).message).toMatch(/^run_id: /);
    expect(badLastEventId.status).toBe(400);
    expect((await jsonOf(badLastEventId)).message).toMatch(/^Last-Event-ID: /);
    expect(unknownRun.status).toBe(404);
    expect(unknownAgent.status).toBe(404);
    expect(await jsonOf(draft)).toMatchObject({ error: 'agent_not_deployed', status: 400 });
    expect(runs.runs).toHaveLength(1);
  });

  it('refuses a run past the daily limit with 429 at its start, and keeps no run', async () => {
    const { api, as, org } = await setupDeployed();
    await api.db.query(
      `INSERT INTO daily_run_counters (org_id, day, runs)
       SELECT id, (now() AT TIME ZONE 'UTC')::date, 1000 FROM orgs WHERE slug = $1
       ON CONFLICT (org_id, day) DO UPDATE SET runs = 1000`,
      [org],
    );

    const refused = await as('/agents/support-bot/runs', post({ query: 'One too many' }));
    const runs = await jsonOf(await as('/agents/support-bot/runs'));

    expect(refused.status).toBe(429);
    expect(await jsonOf(refused)).toMatchObject({ error: 'daily_limit_reached' });
    expect(refused.headers.get('retry-after')).toMatch(/^[0-9]+$/);
    expect(runs.runs).toEqual([]);
  });
});

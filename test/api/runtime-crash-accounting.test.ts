import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeReply } from '../fakes/fake-reply.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { eventually } from '../support/eventually.ts';
import { jsonOf } from '../support/json-of.ts';
import { openAgentSocket } from '../support/open-agent-socket.ts';
import { orgRuntimePid } from '../support/org-runtime-pid.ts';
import { post } from '../support/post.ts';
import { startSignedInTestApi } from '../support/start-test-api.ts';

// The org's astromeshd (a real process of the local backend) is killed with SIGKILL while the
// fake model holds its query: the model may have worked, and billed, so the run keeps its count.

// Fixed words for a known transport failure, never the cause's own message.
const sentButCut =
  /^(the org's runtime closed the stream before the run finished|the connection to the org's runtime was cut) after the query was sent to it; a model may have worked on it$/;

describe("a run cut off by its org runtime's crash", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** An org with support-bot deployed on a fake OpenAI server that answers 'Back again.'. */
  async function setupDeployed() {
    const { api, org, token, as } = await startSignedInTestApi((stop) => cleanups.push(stop));
    const fake = await startFakeProvider('openai', { defaultReply: fakeReply.text('Back again.') });
    cleanups.push(() => fake.close());
    await as('/providers', post({ provider: 'openai', api_key: 'sk-test-key', base_url: fake.baseUrl }));
    await as('/agents', post({ name: 'support-bot', step1: { model: 'openai/gpt-4o-mini' } }));
    await as('/agents/support-bot/deploy', post());
    return { api, org, token, as, fake };
  }

  /** The same, with the fake holding the first query unanswered. */
  async function setupWithModelAtWork() {
    const { api, org, token, as, fake } = await setupDeployed();
    fake.enqueue(fakeReply.hang());
    const killRuntimeOnceTheModelWorks = async () => {
      await eventually(() => expect(fake.requests).toHaveLength(1));
      process.kill(orgRuntimePid({ stateDir: api.stateDir, org }), 'SIGKILL');
    };
    return { api, org, token, as, killRuntimeOnceTheModelWorks };
  }

  it('answers the run 502 runtime_unavailable in safe words and keeps it counted', async () => {
    const { as, killRuntimeOnceTheModelWorks } = await setupWithModelAtWork();

    const pending = as('/agents/support-bot/run', post({ query: 'Hello' }));
    await killRuntimeOnceTheModelWorks();
    const response = await pending;
    const body = await jsonOf(response);

    expect(response.status).toBe(502);
    expect(body).toMatchObject({
      error: 'runtime_unavailable',
      status: 502,
      message: expect.stringMatching(sentButCut),
    });
    expect(response.headers.get('x-ratelimit-remaining')).toBe('999');
    expect(await jsonOf(await as('/usage?days=1'))).toMatchObject({ total_requests: 1, remaining_today: 999 });
  });

  it('ends the stream with a runtime_unavailable error event and keeps the query counted', async () => {
    const { api, org, token, as, killRuntimeOnceTheModelWorks } = await setupWithModelAtWork();
    const socket = await openAgentSocket(api.url, {
      path: `/api/v1/orgs/${org}/agents/support-bot/stream?token=${encodeURIComponent(token)}`,
    });
    cleanups.push(() => socket.close());

    socket.send({ query: 'Hello' });
    await killRuntimeOnceTheModelWorks();
    const events = await socket.untilEnd();

    expect(events.at(-1)).toMatchObject({
      type: 'error',
      error: 'runtime_unavailable',
      status: 502,
      message: expect.stringMatching(sentButCut),
    });
    expect(await jsonOf(await as('/usage?days=1'))).toMatchObject({ total_requests: 1, remaining_today: 999 });
  });

  it('answers a test run the same way, and a test still counts nothing', async () => {
    const { as, killRuntimeOnceTheModelWorks } = await setupWithModelAtWork();

    const pending = as('/agents/support-bot/test', post({ query: 'Hello' }));
    await killRuntimeOnceTheModelWorks();
    const response = await pending;

    expect(response.status).toBe(502);
    expect(await jsonOf(response)).toMatchObject({
      error: 'runtime_unavailable',
      message: expect.stringMatching(sentButCut),
    });
    expect(await jsonOf(await as('/usage?days=1'))).toMatchObject({ total_requests: 0, remaining_today: 1000 });
  });

  /** An org with support-bot deployed, whose runtime process was just killed and is gone. */
  async function setupWithRuntimeJustKilled() {
    const deployed = await setupDeployed();
    const { api, org } = deployed;
    const pid = orgRuntimePid({ stateDir: api.stateDir, org });
    process.kill(pid, 'SIGKILL');
    await eventually(() => expect(existsSync(`/proc/${pid}`)).toBe(false), { intervalMs: 10 });
    return deployed;
  }

  // Sent once the process is gone, while the backend waits to restart it: nothing listens for a
  // while, and the API tries again until the new runtime does (ASTROMESH_RUNTIME_RETRY_SECONDS).
  it('serves a run sent while the backend is still restarting the runtime, once it listens again', async () => {
    const { as, fake } = await setupWithRuntimeJustKilled();

    const response = await as('/agents/support-bot/run', post({ query: 'Still there?' }));

    expect(response.status, JSON.stringify(await jsonOf(response.clone()))).toBe(200);
    expect(await jsonOf(response)).toMatchObject({ answer: 'Back again.' });
    expect(fake.requests).toHaveLength(1);
    expect(await jsonOf(await as('/usage?days=1'))).toMatchObject({ total_requests: 1, remaining_today: 999 });
  });

  it('serves a stream sent while the backend is still restarting the runtime, once it listens again', async () => {
    const { api, org, token } = await setupWithRuntimeJustKilled();
    const socket = await openAgentSocket(api.url, {
      path: `/api/v1/orgs/${org}/agents/support-bot/stream?token=${encodeURIComponent(token)}`,
    });
    cleanups.push(() => socket.close());

    socket.send({ query: 'Still there?' });
    const events = await socket.untilEnd();

    expect(events.at(-1)).toMatchObject({ type: 'done', answer: 'Back again.' });
  });

  it('runs again once the backend has restarted the runtime', async () => {
    const { as, killRuntimeOnceTheModelWorks } = await setupWithModelAtWork();
    const cut = as('/agents/support-bot/run', post({ query: 'Hello' }));
    await killRuntimeOnceTheModelWorks();
    await cut;

    const answer = await eventually(async () => {
      const response = await as('/agents/support-bot/run', post({ query: 'Still there?' }));
      expect(response.status).toBe(200);
      return jsonOf(response);
    });

    expect(answer).toMatchObject({ answer: 'Back again.' });
  });
});

import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLocalBackend } from '../../api/backends/local/create-local-backend.ts';
import type { FakeProvider } from '../fakes/fake-provider.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { aSupportBot } from '../support/a-support-bot.ts';
import { jsonOf } from '../support/json-of.ts';
import { openAgentSocket } from '../support/open-agent-socket.ts';
import { post } from '../support/post.ts';
import { startTestApi, type TestApi } from '../support/start-test-api.ts';

// The whole path: Cloud API → the org's astromeshd process (local backend) → a fake
// OpenAI-compatible server the org's provider key points at through its base_url.

describe('running agents end to end through the org runtime', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function startApi() {
    const api = await startTestApi();
    cleanups.push(() => api.stop());
    return api;
  }

  async function aFakeOpenAi(): Promise<FakeProvider> {
    const fake = await startFakeProvider('openai');
    cleanups.push(() => fake.close());
    return fake;
  }

  /** A fresh org whose openai key points at `fake`, with support-bot deployed. */
  async function anOrgUsing(api: TestApi, fake: FakeProvider) {
    const { token, org, as } = await api.signIn();
    const saved = await as('/providers', post({ provider: 'openai', api_key: 'sk-test-key', base_url: fake.baseUrl }));
    if (saved.status !== 200) throw new Error(`saving the provider key failed: ${JSON.stringify(await saved.json())}`);
    await as('/agents', post(aSupportBot));
    await as('/agents/support-bot/deploy', post());
    return { token, org, as };
  }

  it("sends the model the compiled system prompt and the session's earlier turns", async () => {
    const api = await startApi();
    const fake = await aFakeOpenAi();
    const { as } = await anOrgUsing(api, fake);
    fake.enqueue(fakeReply.text('Nice to meet you, Ada.'), fakeReply.text('Your name is Ada.'));

    await as('/agents/support-bot/run', post({ query: 'My name is Ada.', session_id: 'sess-ada' }));
    const second = await jsonOf(
      await as('/agents/support-bot/run', post({ query: 'What is my name?', session_id: 'sess-ada' })),
    );

    expect(second).toMatchObject({ answer: 'Your name is Ada.', session_id: 'sess-ada' });
    expect(fake.lastRequest.body.messages).toEqual([
      { role: 'system', content: 'You are Support Agent.\n\nAnswer questions about Acme orders.' },
      { role: 'user', content: 'My name is Ada.' },
      { role: 'assistant', content: 'Nice to meet you, Ada.' },
      { role: 'user', content: 'What is my name?' },
    ]);
  });

  it('continues a generated session when the caller sends its id back', async () => {
    const api = await startApi();
    const fake = await aFakeOpenAi();
    const { as } = await anOrgUsing(api, fake);

    const first = await jsonOf(await as('/agents/support-bot/run', post({ query: 'Remember 42.' })));
    await as('/agents/support-bot/run', post({ query: 'What did I ask?', session_id: first.session_id }));

    expect(fake.lastRequest.body.messages).toContainEqual({ role: 'user', content: 'Remember 42.' });
  });

  it('keeps sessions of the same id apart between orgs', async () => {
    const api = await startApi();
    const fake = await aFakeOpenAi();
    const acme = await anOrgUsing(api, fake);
    const globex = await anOrgUsing(api, fake);

    await acme.as('/agents/support-bot/run', post({ query: 'Acme secret: 1234.', session_id: 'shared-id' }));
    await globex.as('/agents/support-bot/run', post({ query: 'Hello', session_id: 'shared-id' }));

    expect(fake.lastRequest.body.messages).toEqual([
      { role: 'system', content: 'You are Support Agent.\n\nAnswer questions about Acme orders.' },
      { role: 'user', content: 'Hello' },
    ]);
  });

  it("gives each org's runtime a data folder of its own (0700), and none writes to the user's default", async () => {
    // The runtimes' HOME: where astromeshd's default data directory (~/.local/state) would be.
    const home = mkdtempSync(join(tmpdir(), 'astromesh-home-'));
    cleanups.push(async () => rmSync(home, { recursive: true, force: true }));
    const api = await startTestApi({
      backend: ({ stateDir, databaseUrl, log }) =>
        createLocalBackend({ stateDir, memoryUrl: databaseUrl, log, env: { PATH: process.env.PATH, HOME: home } }),
    });
    cleanups.push(() => api.stop());
    const fake = await aFakeOpenAi();
    const acme = await anOrgUsing(api, fake);
    const globex = await anOrgUsing(api, fake);

    const runs = [
      await acme.as('/agents/support-bot/run', post({ query: 'Hello from Acme' })),
      await globex.as('/agents/support-bot/run', post({ query: 'Hello from Globex' })),
    ];

    expect(runs.map((run) => run.status)).toEqual([200, 200]);
    for (const { org } of [acme, globex]) {
      expect(statSync(join(api.stateDir, 'orgs', org, 'data')).mode & 0o777).toBe(0o700);
    }
    // astromeshd creates its data directory at start: a runtime without --data-dir makes this.
    expect(existsSync(join(home, '.local'))).toBe(false);
  });

  it('streams several token events and a done, in the conversation a run started', async () => {
    const api = await startApi();
    const fake = await aFakeOpenAi();
    const { token, org, as } = await anOrgUsing(api, fake);
    await as('/agents/support-bot/run', post({ query: 'My order is 77.', session_id: 'sess-77' }));
    fake.enqueue(fakeReply.text('Order 77 ships on Monday.'));
    const socket = await openAgentSocket(api.url, {
      path: `/api/v1/orgs/${org}/agents/support-bot/stream?token=${encodeURIComponent(token)}`,
    });
    cleanups.push(() => socket.close());

    socket.send({ query: 'When does it ship?', session_id: 'sess-77' });
    const events = await socket.untilEnd();

    expect(events.filter((event) => event.type === 'token').length).toBeGreaterThanOrEqual(3);
    expect(events.at(-1)).toMatchObject({ type: 'done', answer: 'Order 77 ships on Monday.', session_id: 'sess-77' });
    expect(fake.lastRequest.isStream).toBe(true);
    expect(fake.lastRequest.body.messages).toContainEqual({ role: 'user', content: 'My order is 77.' });
  });

  it('reaches a new base_url on the next run once the provider key changes, without a redeploy', async () => {
    const api = await startApi();
    const first = await aFakeOpenAi();
    const second = await aFakeOpenAi();
    const { as } = await anOrgUsing(api, first);
    await as('/agents/support-bot/run', post({ query: 'Before' }));
    const deployedAt = (await jsonOf(await as('/agents/support-bot'))).deployed_at;

    const saved = await as(
      '/providers',
      post({ provider: 'openai', api_key: 'sk-test-key', base_url: second.baseUrl }),
    );
    const after = await as('/agents/support-bot/run', post({ query: 'After' }));

    expect(saved.status).toBe(200);
    expect(after.status).toBe(200);
    expect(first.requestCount).toBe(1);
    expect(second.requestCount).toBe(1);
    expect(second.lastRequest.body.messages).toContainEqual({ role: 'user', content: 'After' });
    expect((await jsonOf(await as('/agents/support-bot'))).deployed_at).toBe(deployedAt);
  });
});

import type { WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerProtocolPrefix, streamProtocol } from '../../api/schemas/stream-protocols.ts';
import type { FakeProvider } from '../fakes/fake-provider.ts';
import { fakeReply } from '../fakes/fake-reply.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { aSupportBot } from '../support/a-support-bot.ts';
import { eventually } from '../support/eventually.ts';
import { jsonOf } from '../support/json-of.ts';
import { post } from '../support/post.ts';
import type { SignedIn } from '../support/start-test-api.ts';
import { anOrgWithAFakeOpenAiKey, type StudioBrowser, startStudioBrowser } from './start-studio-browser.ts';

// Issue 14: the playground, a chat with a deployed agent over the API's WebSocket stream, driven
// in a real chromium against a fake provider that streams the real wire format chunk by chunk.
describe('Studio: the playground, in a real browser', { timeout: 240_000 }, () => {
  let studio: StudioBrowser;
  let fake: FakeProvider;

  beforeAll(async () => {
    studio = await startStudioBrowser();
    fake = await startFakeProvider('openai');
  });
  afterAll(async () => {
    await fake?.close();
    await studio?.stop();
  });

  /** The org of `email` with an openai key pointing at the fake and Support Bot (with the calculator) deployed. */
  async function anOrgWithADeployedAgent(email: string): Promise<SignedIn> {
    const owner = await anOrgWithAFakeOpenAiKey(studio.api, fake, email);
    const bot = { ...aSupportBot, display_name: 'Support Bot', step3: { tools: ['calculator'] } };
    expect((await owner.as('/agents', post(bot))).status).toBe(201);
    expect((await owner.as('/agents/support-bot/deploy', post())).status).toBe(200);
    return owner;
  }

  const runsCounted = async (owner: SignedIn) => (await jsonOf(await owner.as('/usage?days=1'))).total_requests;

  it('streams an answer with a tool call, stops a run, keeps the session, and counts only real runs', async () => {
    const owner = await anOrgWithADeployedAgent('lin@example.com');
    const desktop = await studio.openPage('desktop');
    const { page } = desktop;
    // What the page sends on its sockets, and the sockets it opens: the session id and mode travel there.
    const sent: Record<string, unknown>[] = [];
    const socketUrls: string[] = [];
    page.on('websocket', (socket) => {
      socketUrls.push(socket.url());
      socket.on('framesent', (frame) => sent.push(JSON.parse(String(frame.payload))));
    });
    await studio.signIn(desktop, 'lin@example.com');

    await page.getByRole('link', { name: 'Open the playground of Support Bot' }).click();
    await page.getByRole('heading', { name: 'Playground: Support Bot' }).waitFor();
    expect(await page.getByRole('switch', { name: 'Count as real runs' }).isChecked()).toBe(false);
    await studio.check(desktop, 'playground-empty');

    // A tool call, then an answer streamed one word every 300 ms: part of it shows before the run is done.
    fake.enqueue(
      fakeReply.toolCall('calculator', { expression: '6 * 7' }),
      fakeReply.text('Six times seven is 42, as the calculator says.', { chunkDelayMs: 300 }),
    );
    await page.getByLabel('Message').fill('What is 6 * 7?');
    await page.getByRole('button', { name: 'Send' }).click();
    const answer = page.locator('.from-agent').last();
    await answer.locator('.text').filter({ hasText: 'Six times' }).waitFor();
    const partial = await answer.locator('.text').last().textContent();
    expect(await page.getByRole('status').textContent()).toBe('Support Bot is answering…');
    expect(partial).not.toContain('as the calculator says.');
    await answer.getByText(/\d+ tokens · openai\/gpt-4o-mini · \d+ ms/).waitFor();
    expect(await answer.locator('.text').last().textContent()).toBe('Six times seven is 42, as the calculator says.');
    await answer.getByText('Tool calculator answered').click(); // the collapsed tool call opens
    expect(await answer.locator('.tool-call pre').allTextContents()).toEqual([
      expect.stringContaining('"expression": "6 * 7"'),
      expect.stringContaining('42'),
    ]);
    await studio.check(desktop, 'playground-answered');

    // Stop while the provider is still streaming: the fake sees its request closed.
    fake.enqueue(fakeReply.text('one two three four five six', { stallAfterDeltas: 3 }));
    await page.getByLabel('Message').fill('Count to six');
    await page.keyboard.press('Enter');
    await page.locator('.from-agent').last().getByText('one two three').waitFor();
    const stopped = fake.requestCount;
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.getByText('Stopped: the run was cancelled.').waitFor();
    await eventually(() => expect(fake.lastRequest.wasAbortedByClient).toBe(true));
    expect(fake.requestCount).toBe(stopped);
    await studio.check(desktop, 'playground-stopped');

    // Test runs by default: nothing of the above was counted.
    expect(await runsCounted(owner)).toBe(0);
    expect(socketUrls).toEqual([expect.stringContaining('mode=test')]);

    // A real run, on a socket of its own (its mode), counted; the conversation's session goes with it.
    await page.getByRole('switch', { name: 'Count as real runs' }).check();
    await page.getByLabel('Message').fill('And now for real');
    await page.getByRole('button', { name: 'Send' }).click();
    await page
      .locator('.run-facts')
      .nth(2)
      .getByText(/tokens/)
      .waitFor();
    expect(await runsCounted(owner)).toBe(1);
    expect(socketUrls).toEqual([expect.stringContaining('mode=test'), expect.stringContaining('mode=run')]);
    // The token travels in Sec-WebSocket-Protocol: a URL the console may print holds none.
    expect(socketUrls.filter((url) => /token/i.test(url))).toEqual([]);
    const queries = sent.filter((message) => 'query' in message);
    expect(queries.map((message) => message.session_id)).toEqual([
      undefined,
      expect.any(String),
      queries[1]?.session_id,
    ]);
    expect(sent).toContainEqual({ type: 'cancel' });
    expect(desktop.problems).toEqual([]);
  });

  it('reconnects when the socket dropped between messages, and says so with a link when the agent was paused', async () => {
    const owner = await anOrgWithADeployedAgent('mo@example.com');
    const phone = await studio.openPage('phone');
    const { page } = phone;
    // Every socket goes through the test, which can cut the page's side of it between messages.
    const routes: WebSocketRoute[] = [];
    await page.routeWebSocket(/\/stream\?/, (route) => {
      routes.push(route);
      route.connectToServer();
    });
    await studio.signIn(phone, 'mo@example.com');
    await page.goto(`${studio.studioUrl}agents/support-bot/playground`);
    await page.getByRole('heading', { name: 'Playground: Support Bot' }).waitFor();

    await page.getByLabel('Message').fill('Hello');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Hello from the fake provider.').waitFor();
    await studio.check(phone, 'playground-answered');
    await routes[0]?.close({ code: 1001, reason: 'gone' });
    await page.getByLabel('Message').fill('Still there?');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.locator('.from-agent').nth(1).getByText('Hello from the fake provider.').waitFor();
    expect(routes).toHaveLength(2);
    expect(await page.getByRole('alert').count()).toBe(0);

    expect((await owner.as('/agents/support-bot/pause', post())).status).toBe(200);
    await page.getByLabel('Message').fill('Are you paused?');
    await page.getByRole('button', { name: 'Send' }).click();
    const alert = page.getByRole('alert');
    await alert.getByText('“support-bot” is not deployed').waitFor();
    await expect.poll(() => page.locator('.badge').textContent()).toBe('Paused');
    expect(await page.getByRole('button', { name: 'Send' }).isDisabled()).toBe(true);
    await studio.check(phone, 'playground-paused');
    await alert.getByRole('link', { name: 'Go to the Agents page' }).click();
    await page.getByRole('heading', { name: 'Agents', level: 1 }).waitFor();
    expect(phone.problems).toEqual([]);
  });
});

// The socket's token (offered in its subprotocol list) is checked at its upgrade only, so it must
// be fresh whenever a socket opens: a playground left open past the access token's life renews it
// before it reconnects.
describe('Studio: the playground after its access token expired, in a real browser', { timeout: 180_000 }, () => {
  let studio: StudioBrowser;
  let fake: FakeProvider;

  beforeAll(async () => {
    studio = await startStudioBrowser({ env: { ASTROMESH_ACCESS_TOKEN_TTL_SECONDS: '1' } });
    fake = await startFakeProvider('openai');
  });
  afterAll(async () => {
    await fake?.close();
    await studio?.stop();
  });

  it('renews the token through the session cookie before it opens the next socket', async () => {
    const email = 'renew-chat@example.com';
    // Each call signs in again, and again on a 401: a token lives one second here, less when it
    // was issued late in a second (its exp counts whole seconds).
    const asOwner = async (path: string, init?: RequestInit) => {
      for (let attempt = 1; ; attempt++) {
        const response = await (await studio.api.signIn(email)).as(path, init);
        if (response.status !== 401 || attempt === 5) return response;
      }
    };
    const saved = await asOwner('/providers', post({ provider: 'openai', api_key: 'sk-test', base_url: fake.baseUrl }));
    expect(saved.status).toBe(200);
    expect((await asOwner('/agents', post({ ...aSupportBot, display_name: 'Support Bot' }))).status).toBe(201);
    expect((await asOwner('/agents/support-bot/deploy', post())).status).toBe(200);
    const studioPage = await studio.openPage('desktop');
    const { page } = studioPage;
    const answers: string[] = [];
    page.on('response', (response) => {
      const path = new URL(response.url()).pathname;
      if (path.startsWith('/api/v1/')) answers.push(`${response.status()} ${path}`);
    });
    const routes: WebSocketRoute[] = [];
    await page.routeWebSocket(/\/stream\?/, (route) => {
      routes.push(route);
      route.connectToServer();
    });
    await page.goto(studio.studioUrl);
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Open the playground of Support Bot' }).click();
    await page.getByLabel('Message').fill('Hello');
    await page.getByRole('button', { name: 'Send' }).click();
    await page
      .locator('.run-facts')
      .getByText(/tokens/)
      .waitFor();
    const firstToken = tokenOffered(routes[0]);
    expect(routes[0]?.protocols()[0]).toBe(streamProtocol);

    // The socket drops; the token it opened with expires.
    await routes[0]?.close({ code: 1001, reason: 'gone' });
    const closedAt = Date.now();
    const expiresAt = JSON.parse(Buffer.from(firstToken.split('.')[1] ?? '', 'base64url').toString()).exp as number;
    // Also a moment past the close: the page's socket leaves OPEN when the browser has handled it,
    // and a token already expired at the close let one CI run send on the closing socket at once.
    await expect
      .poll(() => Date.now() / 1000 > expiresAt && Date.now() - closedAt > 500, { timeout: 10_000 })
      .toBe(true);
    answers.length = 0;
    await page.getByLabel('Message').fill('Still there?');
    await page.getByRole('button', { name: 'Send' }).click();

    await page
      .locator('.run-facts')
      .nth(1)
      .getByText(/tokens/)
      .waitFor();
    // A second socket opened, after the agent was asked for with the expired token and the token
    // renewed. Playwright reports responses on their own channel, which a loaded machine can deliver
    // after the page already shows the answer: polled, not read once.
    expect(routes).toHaveLength(2);
    await expect
      .poll(() => answers.slice(0, 3), { timeout: 10_000 })
      .toEqual([
        '401 /api/v1/orgs/renew-chat-example-com/agents/support-bot',
        '200 /api/v1/auth/refresh',
        '200 /api/v1/orgs/renew-chat-example-com/agents/support-bot',
      ]);
    const secondToken = tokenOffered(routes[1]);
    expect(secondToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/); // a JWT
    expect(secondToken).not.toBe(firstToken);
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(studioPage.problems).toEqual([]);
  });
});

/** The access token a socket offered in its subprotocol list, `astromesh.bearer.<base64url>`. */
function tokenOffered(route: WebSocketRoute | undefined): string {
  const entry = route?.protocols().find((protocol) => protocol.startsWith(bearerProtocolPrefix)) ?? '';
  return Buffer.from(entry.slice(bearerProtocolPrefix.length), 'base64url').toString();
}

import { afterEach, describe, expect, it } from 'vitest';
import { bearerProtocolPrefix, streamProtocol } from '../../api/schemas/stream-protocols.ts';
import { devLogin } from '../support/dev-login.ts';
import { openAgentSocket } from '../support/open-agent-socket.ts';
import { type InProcessApi, startApiInProcess } from '../support/start-api-in-process.ts';
import { websocketUpgradeAnswer } from '../support/websocket-upgrade-answer.ts';

// A browser cannot set headers on a WebSocket, so it authenticates in the URL (`?token=`) or in
// the Sec-WebSocket-Protocol list (Studio's playground): no log line may ever hold either.
describe("the stream's token never reaches the log", () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function anApi(): Promise<InProcessApi> {
    const api = await startApiInProcess();
    cleanups.push(() => api.stop());
    return api;
  }

  it('logs no token of a served stream, a refused upgrade, a bad mode or an upgrade that failed with a 5xx', async () => {
    const api = await anApi();
    const user = await devLogin(api.url);
    const ws = api.url.replace(/^http/, 'ws');
    const path = (agent: string, query: string) => `/api/v1/orgs/${user.org}/agents/${agent}/stream?${query}`;
    const created = await fetch(`${api.url}/api/v1/orgs/${user.org}/agents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
      body: JSON.stringify({ name: 'support-bot', step1: { model: 'openai/gpt-4o-mini' } }),
    });
    expect(created.status).toBe(201);

    const socket = await openAgentSocket(api.url, { path: path('support-bot', `token=${user.token}&mode=test`) });
    socket.send({ query: 'Hello' });
    const served = await socket.next();
    await socket.close();
    const refused = await websocketUpgradeAnswer(`${ws}${path('support-bot', 'token=ask-refused-secret-in-query')}`);
    const badMode = await websocketUpgradeAnswer(`${ws}${path('support-bot', `token=${user.token}&mode=free`)}`);
    const unknownAgent = await websocketUpgradeAnswer(`${ws}${path('ghost', `token=${user.token}`)}`);
    await api.database.drop();
    const failed = await websocketUpgradeAnswer(`${ws}${path('support-bot', `token=${user.token}`)}`);

    expect(served).toMatchObject({ type: 'error', error: 'agent_not_deployed' });
    expect([refused.status, badMode.status, unknownAgent.status]).toEqual([401, 400, 404]);
    expect(failed.status).toBeGreaterThanOrEqual(500);
    const logged = JSON.stringify(api.logs());
    expect(logged).toContain('stream upgrade failed'); // the 5xx was logged, with its path only
    expect(logged).not.toContain(user.token);
    expect(logged).not.toContain('ask-refused-secret-in-query');
    expect(logged).not.toContain('token=');
  });

  it('logs no token of the Sec-WebSocket-Protocol entry: served, refused, malformed or failed with a 5xx', async () => {
    const api = await anApi();
    const user = await devLogin(api.url);
    const path = `/api/v1/orgs/${user.org}/agents/support-bot/stream`;
    const url = `${api.url.replace(/^http/, 'ws')}${path}`;
    const entryOf = (token: string) => `${bearerProtocolPrefix}${Buffer.from(token).toString('base64url')}`;
    const offering = (entry: string) => ({ protocols: [streamProtocol, entry] });
    const created = await fetch(`${api.url}/api/v1/orgs/${user.org}/agents`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${user.token}` },
      body: JSON.stringify({ name: 'support-bot', step1: { model: 'openai/gpt-4o-mini' } }),
    });
    expect(created.status).toBe(201);

    const socket = await openAgentSocket(api.url, { path: `${path}?mode=test`, ...offering(entryOf(user.token)) });
    socket.send({ query: 'Hello' });
    const served = await socket.next();
    await socket.close();
    const refused = await websocketUpgradeAnswer(url, offering(entryOf('ask-refused-secret-in-protocol')));
    const malformed = await websocketUpgradeAnswer(url, offering(`${bearerProtocolPrefix}malformed*secret`));
    await api.database.drop();
    const failed = await websocketUpgradeAnswer(url, offering(entryOf(user.token)));

    expect(served).toMatchObject({ type: 'error', error: 'agent_not_deployed' });
    expect([refused.status, malformed.status]).toEqual([401, 401]);
    expect(failed.status).toBeGreaterThanOrEqual(500);
    const logged = JSON.stringify(api.logs());
    expect(logged).toContain('stream upgrade failed');
    for (const secret of [user.token, entryOf(user.token), 'ask-refused-secret-in-protocol', 'malformed*secret']) {
      expect(logged).not.toContain(secret);
    }
    expect(logged).not.toContain(bearerProtocolPrefix);
  });
});

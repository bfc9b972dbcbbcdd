import { afterEach, describe, expect, it } from 'vitest';
import { bearerProtocolPrefix, streamProtocol } from '../../api/schemas/stream-protocols.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { jsonOf } from '../support/json-of.ts';
import { openAgentSocket } from '../support/open-agent-socket.ts';
import { post } from '../support/post.ts';
import { startSignedInTestApi } from '../support/start-test-api.ts';
import { websocketUpgradeAnswer } from '../support/websocket-upgrade-answer.ts';

const aSupportBot = { name: 'support-bot', step1: { model: 'openai/gpt-4o-mini' } };

/** The subprotocol entry that carries a token, as Studio builds it. */
const bearerEntry = (token: string) => `${bearerProtocolPrefix}${Buffer.from(token).toString('base64url')}`;

// A browser cannot set headers on a WebSocket; a token in the URL is printed by its console when
// the upgrade fails. So the token may travel as a subprotocol entry, answered with astromesh.v1.
describe('authenticating an agent stream in Sec-WebSocket-Protocol', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup() {
    const signedIn = await startSignedInTestApi((stop) => cleanups.push(stop));
    const path = `/api/v1/orgs/${signedIn.org}/agents/support-bot/stream`;
    const streamUrl = (query = '') => `${signedIn.api.url.replace(/^http/, 'ws')}${path}${query}`;
    return { ...signedIn, path, streamUrl };
  }

  it('serves a stream whose token is the astromesh.bearer. entry, answering astromesh.v1 and never the entry', async () => {
    const { api, as, token, path } = await setup();
    const fake = await startFakeProvider('openai');
    cleanups.push(() => fake.close());
    await as('/providers', post({ provider: 'openai', api_key: 'sk-test-key', base_url: fake.baseUrl }));
    await as('/agents', post(aSupportBot));
    await as('/agents/support-bot/deploy', post());
    const socket = await openAgentSocket(api.url, {
      path: `${path}?mode=test`,
      // The entry first: ws's default answer is the first protocol offered.
      protocols: [bearerEntry(token), streamProtocol],
    });
    cleanups.push(() => socket.close());

    socket.send({ query: 'Hello' });
    const events = await socket.untilEnd();

    expect(socket.socket.protocol).toBe(streamProtocol);
    expect(events.at(-1)).toMatchObject({ type: 'done', answer: 'Hello from the fake provider.' });
  });

  it('takes an API key as the entry too, and answers astromesh.v1 to a ?token= client that offers it', async () => {
    const { as, token, streamUrl } = await setup();
    await as('/agents', post(aSupportBot));
    const key = await jsonOf(await as('/keys', post({ name: 'Streaming' })));

    const byKey = await websocketUpgradeAnswer(streamUrl(), { protocols: [streamProtocol, bearerEntry(key.secret)] });
    const byQuery = await websocketUpgradeAnswer(streamUrl(`?token=${token}`), { protocols: [streamProtocol] });
    const withoutProtocols = await websocketUpgradeAnswer(streamUrl(`?token=${token}`));

    expect(byKey).toEqual({ status: 101, protocol: streamProtocol });
    expect(byQuery).toEqual({ status: 101, protocol: streamProtocol });
    expect(withoutProtocols).toEqual({ status: 101, protocol: '' });
  });

  it('refuses a bad astromesh.bearer. entry with 401, and one without astromesh.v1 beside it with 400', async () => {
    const { as, token, streamUrl } = await setup();
    await as('/agents', post(aSupportBot));
    const answer = (protocols: string[]) => websocketUpgradeAnswer(streamUrl(), { protocols });

    const notBase64url = await answer([streamProtocol, `${bearerProtocolPrefix}not*base64url`]);
    const strayCharacter = await answer([streamProtocol, `${bearerEntry('ask-x')}~`]);
    const notAToken = await answer([streamProtocol, bearerEntry('not-a-jwt')]);
    const controlCharacters = await answer([streamProtocol, bearerEntry('\u0001\u0002')]);
    const twoEntries = await answer([streamProtocol, bearerEntry(token), bearerEntry('other')]);
    const empty = await answer([streamProtocol, bearerProtocolPrefix]);
    const alone = await answer([bearerEntry(token)]);

    for (const refused of [notBase64url, strayCharacter, notAToken, controlCharacters, twoEntries, empty]) {
      expect(refused).toMatchObject({ status: 401, body: expect.objectContaining({ error: 'unauthorized' }) });
    }
    expect(notBase64url.body).toMatchObject({
      message: 'Sec-WebSocket-Protocol: the astromesh.bearer. entry must be the base64url (no padding) of a token',
    });
    expect(alone).toMatchObject({
      status: 400,
      body: expect.objectContaining({
        error: 'invalid_request',
        message: 'Sec-WebSocket-Protocol: offer astromesh.v1 beside the astromesh.bearer. entry',
      }),
    });
    expect(JSON.stringify([twoEntries, alone])).not.toContain(bearerEntry(token));
  });

  it('prefers the entry to a ?token= when a client sends both', async () => {
    const { as, token, streamUrl } = await setup();
    await as('/agents', post(aSupportBot));

    const answer = await websocketUpgradeAnswer(streamUrl('?token=not-a-jwt'), {
      protocols: [streamProtocol, bearerEntry(token)],
    });

    expect(answer).toEqual({ status: 101, protocol: streamProtocol });
  });
});

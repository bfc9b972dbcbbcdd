import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { type InProcessApi, startApiInProcess } from '../support/start-api-in-process.ts';

// The API as main.ts starts it (startApiServer), stopped while a keep-alive client keeps using it:
// the drain of runtime/server/track-requests-in-flight.ts with the linger ASTROMESH_SHUTDOWN_LINGER_SECONDS sets.
describe('the Cloud API stopping under a keep-alive client', () => {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function anApi(lingerSeconds: string): Promise<InProcessApi> {
    const api = await startApiInProcess({ env: { ASTROMESH_SHUTDOWN_LINGER_SECONDS: lingerSeconds } });
    cleanups.push(() => api.stop());
    return api;
  }

  function aKeepAliveClient(): Agent {
    const client = new Agent({ connections: 1 });
    cleanups.push(() => client.destroy());
    return client;
  }

  async function healthz(url: string, client: Agent): Promise<string> {
    const response = await request(`${url}/healthz`, { dispatcher: client });
    await response.body.text();
    return `${response.statusCode} ${response.headers.connection}`;
  }

  it('answers the next request on an idle connection once stopping began, with Connection: close', async () => {
    const { url, server } = await anApi('5');
    const client = aKeepAliveClient();
    await healthz(url, client);

    const stopped = server.stop();
    const answer = await healthz(url, client).catch((err: Error) => `failed: ${err.message}`);
    await client.close();
    await stopped;

    expect(answer).toBe('200 close');
  });

  it('cuts an idle connection at once with ASTROMESH_SHUTDOWN_LINGER_SECONDS=0', async () => {
    const { url, server } = await anApi('0');
    const client = aKeepAliveClient();
    await healthz(url, client);

    const stopped = server.stop();
    const answer = await healthz(url, client).catch(() => 'failed');
    await stopped;

    expect(answer).toBe('failed');
  });
});

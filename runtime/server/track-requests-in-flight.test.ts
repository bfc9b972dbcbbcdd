import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Agent, request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/eventually.ts';
import { type RequestsInFlight, trackRequestsInFlight } from './track-requests-in-flight.ts';

interface TrackedServer {
  server: Server;
  requests: RequestsInFlight;
  url: string;
  /** Every connection the server accepted, in order. */
  sockets: Socket[];
}

describe('the HTTP server drain at shutdown (the Cloud API and astromeshd)', () => {
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  /** A node:http server answering `ok`, or holding the answer while `hold` is set. */
  async function aTrackedServer(options: { hold?: Promise<void> } = {}): Promise<TrackedServer> {
    const server = createServer(async (_request, response) => {
      await options.hold;
      response.end('ok');
    });
    const requests = trackRequestsInFlight(server);
    const sockets: Socket[] = [];
    server.on('connection', (socket) => sockets.push(socket));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => {
      server.closeAllConnections();
      server.close();
    });
    return { server, requests, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sockets };
  }

  /** A keep-alive client on one connection at most, as a pooled client reusing its connection. */
  function aKeepAliveClient(): Agent {
    const client = new Agent({ connections: 1 });
    cleanups.push(() => client.destroy());
    return client;
  }

  async function get(url: string, client: Agent): Promise<{ status: number; connection: unknown }> {
    const response = await request(url, { dispatcher: client });
    await response.body.text();
    return { status: response.statusCode, connection: response.headers.connection };
  }

  it('answers a request a keep-alive client sends just as the drain starts, with Connection: close', async () => {
    const { url, requests, sockets } = await aTrackedServer();
    const client = aKeepAliveClient();
    let drained: Promise<{ abandoned: number }> | undefined;
    const startDrainOnFifthRequest = (socket: Socket) => {
      // The first request has been answered already; a small GET arrives in one chunk.
      let requestsSeen = 1;
      // Before node's parser reads the request: the connection still counts as idle then, which is
      // exactly when a client's next request meets a drain.
      socket.prependListener('data', () => {
        requestsSeen++;
        if (requestsSeen === 5) drained = requests.drain({ deadlineMs: 10_000, lingerMs: 5_000 });
      });
    };
    await get(url, client);
    startDrainOnFifthRequest(sockets[0] as Socket);

    // Back to back, until an answer says the connection closes: the client goes elsewhere then.
    const answers: string[] = [];
    for (let sent = 2; sent <= 10; sent++) {
      const answer = await get(url, client).then(
        ({ status, connection }) => `${status} ${connection}`,
        (err: Error) => `failed: ${err.message}`,
      );
      answers.push(answer);
      if (answer !== '200 keep-alive') break;
    }

    expect(answers).toEqual(['200 keep-alive', '200 keep-alive', '200 keep-alive', '200 close']);
    expect(await drained).toEqual({ abandoned: 0 });
    expect(sockets).toHaveLength(1);
  });

  it('answers a request in flight at the drain with Connection: close, then finishes', async () => {
    let release = () => {};
    const { url, requests } = await aTrackedServer({ hold: new Promise<void>((resolve) => (release = resolve)) });
    const client = aKeepAliveClient();
    const answer = get(url, client);
    await eventually(() => expect(requests.inFlight()).toBe(1));

    const drained = requests.drain({ deadlineMs: 10_000, lingerMs: 5_000 });
    release();

    expect(await answer).toEqual({ status: 200, connection: 'close' });
    expect(await drained).toEqual({ abandoned: 0 });
  });

  it('keeps an idle keep-alive connection open until the linger ends, not closing it at once', async () => {
    const { url, requests, sockets } = await aTrackedServer();
    const client = aKeepAliveClient();
    await get(url, client);
    const idle = sockets[0] as Socket;
    const lingerMs = 400;

    const startedAt = performance.now();
    const drained = requests.drain({ deadlineMs: 10_000, lingerMs });
    await new Promise((resolve) => setImmediate(resolve));
    const isOpenAfterDrainStarts = !idle.destroyed;
    await once(idle, 'close');
    const closedAfterMs = performance.now() - startedAt;

    expect(isOpenAfterDrainStarts).toBe(true);
    // Timers may fire a little early by performance.now(): a few milliseconds of slack.
    expect(closedAfterMs).toBeGreaterThanOrEqual(lingerMs - 5);
    expect(await drained).toEqual({ abandoned: 0 });
  });

  it('finishes before the linger once the client has closed its idle connections', async () => {
    const { url, requests, sockets } = await aTrackedServer();
    const client = aKeepAliveClient();
    await get(url, client);

    const startedAt = performance.now();
    const drained = requests.drain({ deadlineMs: 60_000, lingerMs: 30_000 });
    await client.close();

    expect(await drained).toEqual({ abandoned: 0 });
    expect(performance.now() - startedAt).toBeLessThan(10_000);
    expect(sockets[0]?.destroyed).toBe(true);
  });

  it('closes idle keep-alive connections at once with a linger of 0', async () => {
    const { url, requests, sockets } = await aTrackedServer();
    const client = aKeepAliveClient();
    await get(url, client);

    const drained = requests.drain({ deadlineMs: 60_000, lingerMs: 0 });
    const isClosedAtOnce = sockets[0]?.destroyed;

    expect(isClosedAtOnce).toBe(true);
    expect(await drained).toEqual({ abandoned: 0 });
  });

  it('refuses new connections while it drains', async () => {
    const { url, requests } = await aTrackedServer();
    const client = aKeepAliveClient();
    await get(url, client);

    const drained = requests.drain({ deadlineMs: 10_000, lingerMs: 5_000 });
    const fresh = aKeepAliveClient();
    const refused = await get(url, fresh).catch((err: Error & { code?: string; cause?: { code?: string } }) => err);

    expect(refused).toMatchObject({ code: 'ECONNREFUSED' });
    await client.close();
    expect(await drained).toEqual({ abandoned: 0 });
  });

  it('cuts what is still unanswered at the deadline and counts it', async () => {
    const { url, requests } = await aTrackedServer({ hold: new Promise<void>(() => {}) });
    const client = aKeepAliveClient();
    const answer = get(url, client).catch((err: Error) => err);
    await eventually(() => expect(requests.inFlight()).toBe(1));

    const drained = await requests.drain({ deadlineMs: 200, lingerMs: 5_000 });

    expect(drained).toEqual({ abandoned: 1 });
    expect(await answer).toBeInstanceOf(Error);
  });
});

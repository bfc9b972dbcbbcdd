import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { freePort } from '../../../test/support/free-port.ts';
import { createOrgRuntimeClient } from './org-runtime-client.ts';
import { RuntimeCallFailed } from './runtime-call-failed.ts';

// Real sockets standing in for an org runtime that is gone or dies mid-run: whether the query had
// left decides whether the run keeps its count (execution-service.ts).

const aCall = (baseUrl: string) => ({
  endpoint: { baseUrl, token: 'runtime-token' },
  agentId: 'acme__support-bot',
  request: { query: 'Hello' },
  signal: new AbortController().signal,
});

describe('the org runtime client on a runtime that fails in transport', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  const client = () => {
    const made = createOrgRuntimeClient();
    cleanups.push(() => made.close());
    return made;
  };

  /** An HTTP server that reads each query to its end and then drops the connection, as a runtime killed mid-run. */
  async function aRuntimeDyingMidRun(): Promise<{ baseUrl: string; queries: string[] }> {
    const queries: string[] = [];
    const server: Server = createServer((req) => {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        queries.push(body);
        req.socket.destroy();
      });
    });
    const sockets = new WebSocketServer({ server });
    sockets.on('connection', (ws) =>
      ws.on('message', (data) => {
        queries.push(data.toString());
        ws.terminate();
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          sockets.close();
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    return { baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, queries };
  }

  it('reports a run on a port where nothing listens as unreachable, reaching no model', async () => {
    const baseUrl = `http://127.0.0.1:${await freePort()}`;

    const failure = await client()
      .run(aCall(baseUrl))
      .catch((err: unknown) => err);

    expect(failure).toBeInstanceOf(RuntimeCallFailed);
    expect(failure).toMatchObject({
      code: 'runtime_unavailable',
      status: 502,
      message: "the org's runtime refused the connection; try again shortly",
      mayHaveReachedModel: false,
    });
  });

  /**
   * A port whose listener accepts nothing and whose accept queue is full, so the kernel drops every
   * further SYN: a connection that is neither refused nor accepted, as to a pod the network does not
   * route to yet. Python holds the listener (Node accepts every connection by itself).
   */
  async function aPortThatDropsConnections(): Promise<string> {
    const listener = spawn(
      'python3',
      [
        '-c',
        "import socket,sys,time\ns=socket.socket()\ns.bind(('127.0.0.1',0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\ntime.sleep(120)",
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    cleanups.push(() => {
      listener.kill();
    });
    const [line] = (await once(listener.stdout, 'data')) as [Buffer];
    const port = Number(line.toString().trim());
    // Fill the queue (backlog 0 holds one): this one connects, is never accepted, and the next SYN has no room.
    const filler = connect(port, '127.0.0.1');
    filler.on('error', () => {});
    cleanups.push(() => {
      filler.destroy();
    });
    await once(filler, 'connect');
    return `http://127.0.0.1:${port}`;
  }

  it('gives up on a connection not accepted within half a second, as one that may be tried again', async () => {
    const baseUrl = await aPortThatDropsConnections();

    const startedAt = performance.now();
    const failure = await client()
      .run(aCall(baseUrl))
      .catch((err: unknown) => err);
    const waitedMs = performance.now() - startedAt;

    expect(failure).toMatchObject({
      code: 'runtime_unavailable',
      message: "the org's runtime did not accept a connection in time; try again shortly",
      mayHaveReachedModel: false,
      mayRetry: true,
    });
    // undici's default would wait 10 s, the kernel's retransmits alone 1 s and 3 s.
    expect(waitedMs).toBeLessThan(3_000);
  });

  it('reports a run whose connection was cut after the query arrived as one a model may have worked on', async () => {
    const runtime = await aRuntimeDyingMidRun();

    const failure = await client()
      .run(aCall(runtime.baseUrl))
      .catch((err: unknown) => err);

    expect(runtime.queries).toEqual([JSON.stringify({ query: 'Hello' })]);
    expect(failure).toMatchObject({
      code: 'runtime_unavailable',
      message: expect.stringMatching(/^the connection to the org's runtime was cut after the query was sent/),
      mayHaveReachedModel: true,
    });
  });

  it('reports a stream on a port where nothing listens as unreachable, reaching no model', async () => {
    const baseUrl = `http://127.0.0.1:${await freePort()}`;

    const failure = await client()
      .stream({ ...aCall(baseUrl), onEvent: () => undefined })
      .catch((err: unknown) => err);

    expect(failure).toMatchObject({ code: 'runtime_unavailable', mayHaveReachedModel: false });
  });

  it('reports a stream the runtime dropped after taking the query as one a model may have worked on', async () => {
    const runtime = await aRuntimeDyingMidRun();

    const failure = await client()
      .stream({ ...aCall(runtime.baseUrl), onEvent: () => undefined })
      .catch((err: unknown) => err);

    expect(runtime.queries).toEqual([JSON.stringify({ query: 'Hello' })]);
    expect(failure).toMatchObject({
      code: 'runtime_unavailable',
      message: expect.stringContaining('after the query was sent'),
      mayHaveReachedModel: true,
    });
  });

  it('fails a query it cannot serialise as its own error, never as the runtime being unreachable', async () => {
    const runtime = await aRuntimeDyingMidRun();
    const unserialisable = { query: 'Hello', context: { id: 1n } } as never;

    const run = client()
      .run({ ...aCall(runtime.baseUrl), request: unserialisable })
      .catch((err: unknown) => err);
    const stream = client()
      .stream({ ...aCall(runtime.baseUrl), request: unserialisable, onEvent: () => undefined })
      .catch((err: unknown) => err);

    expect(await run).toBeInstanceOf(TypeError);
    expect(await stream).toBeInstanceOf(TypeError);
    expect(runtime.queries).toEqual([]);
  });
});

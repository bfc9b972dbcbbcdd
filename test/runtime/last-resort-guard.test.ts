import { describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { jsonOf } from '../support/json-of.ts';
import { openAgentSocket } from '../support/open-agent-socket.ts';
import { type AstromeshdProcess, type LogRecord, spawnAstromeshd } from '../support/spawn-astromeshd.ts';
import { useRuntimeTestKit } from './use-runtime-test-kit.ts';

// The guard runs in a process of its own (test/fixtures/guarded-server.ts): what it guards
// against is the process ending, and vitest's own handlers would see the errors in this one.
describe('the last-resort guard: a bug fails its own request, never the process', { timeout: 60_000 }, () => {
  const { cleanups } = useRuntimeTestKit();

  async function aGuardedServer(): Promise<{ server: AstromeshdProcess; url: string }> {
    const server = spawnAstromeshd(['test/fixtures/guarded-server.ts'], { command: process.execPath, stdin: 'pipe' });
    cleanups.push(() => server.kill());
    const listening = await server.waitForLog('guarded server listening');
    return { server, url: `http://127.0.0.1:${listening.port}` };
  }

  async function expectStillServing(server: AstromeshdProcess, url: string): Promise<void> {
    const response = await fetch(`${url}/ok`);
    expect(await jsonOf(response)).toEqual({ status: 'ok' });
    expect(server.child.exitCode).toBeNull();
  }

  const guardLines = (server: AstromeshdProcess): LogRecord[] =>
    server.logs().filter((record) => record.msg === 'request failed outside its handler');

  it('answers a synchronous throw with a 500 envelope, logged with the request id', async () => {
    const { server, url } = await aGuardedServer();

    const response = await fetch(`${url}/throws`);
    const requestId = response.headers.get('x-request-id');

    expect(response.status).toBe(500);
    expect(await jsonOf(response)).toEqual({ error: 'internal_error', message: 'Internal error', status: 500 });
    const logged = await eventually(() => {
      const line = server.logs().find((record) => record.msg === 'request failed');
      expect(line).toBeDefined();
      return line as LogRecord;
    });
    expect(logged).toMatchObject({ requestId, err: expect.objectContaining({ message: 'a bug in a handler' }) });
    await expectStillServing(server, url);
  });

  it.each([
    ['/rejects-unawaited', 'a rejection nobody awaits'],
    ['/throws-in-immediate', 'a throw in a detached callback'],
  ])('answers %s (%s) with a 500 to that caller only, and keeps serving', async (path, errorMessage) => {
    const { server, url } = await aGuardedServer();

    const [failed, other] = await Promise.all([fetch(`${url}${path}`), fetch(`${url}/ok`)]);
    const requestId = failed.headers.get('x-request-id');

    expect(failed.status).toBe(500);
    expect(await jsonOf(failed)).toMatchObject({ error: 'internal_error', status: 500 });
    expect(other.status).toBe(200);
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(guardLines(server)).toEqual([
      expect.objectContaining({ level: 50, requestId, err: expect.objectContaining({ message: errorMessage }) }),
    ]);
    await expectStillServing(server, url);
  });

  it('logs a throw that comes after its request was answered, with that request id, and keeps serving', async () => {
    const { server, url } = await aGuardedServer();

    const response = await fetch(`${url}/throws-after-answering`);
    const requestId = response.headers.get('x-request-id');

    expect(await jsonOf(response)).toEqual({ status: 'answered' });
    await eventually(() => expect(guardLines(server)).toEqual([expect.objectContaining({ requestId })]));
    await expectStillServing(server, url);
  });

  it.each([
    ['throw', 'a bug in a message handler'],
    ['throw-later', 'a throw in a timer a message handler started'],
  ])(
    'answers a WebSocket message that hits %s with an error event and close 1011 on that socket alone',
    async (message, errorMessage) => {
      const { server, url } = await aGuardedServer();
      const bystander = await openAgentSocket(url, { path: '/' });
      const victim = await openAgentSocket(url, { path: '/' });
      cleanups.push(
        () => bystander.close(),
        () => victim.close(),
      );

      victim.send(message);
      const event = await victim.next();
      bystander.send('still there?');

      expect(event).toMatchObject({ type: 'error', error: 'internal_error', status: 500 });
      expect(await victim.closed).toBe(1011);
      expect(await bystander.next()).toEqual({ type: 'echo', text: 'still there?' });
      expect(guardLines(server)).toEqual([
        expect.objectContaining({ requestId: 'socket-2', err: expect.objectContaining({ message: errorMessage }) }),
      ]);
      await expectStillServing(server, url);
    },
  );

  it('still ends the process on an error outside any request, logged as fatal first', async () => {
    const { server } = await aGuardedServer();

    server.child.stdin?.write('crash\n');
    const exit = await server.exitWithin(20_000);

    expect(exit.code).toBe(1);
    expect(server.logs()).toContainEqual(
      expect.objectContaining({
        level: 60,
        msg: 'uncaught error outside any request; exiting',
        err: expect.objectContaining({ message: 'a bug outside any request' }),
      }),
    );
  });
});

import { once } from 'node:events';
import { createConnection, createServer, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from './eventually.ts';
import { startPausableTcpProxy } from './pausable-tcp-proxy.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startEchoServerBehindProxy() {
  const echo = createServer((socket) => socket.pipe(socket));
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  const port = (echo.address() as { port: number }).port;
  const proxy = await startPausableTcpProxy({ host: '127.0.0.1', port });
  cleanups.push(async () => {
    await proxy.close();
    echo.close();
  });
  return { proxy, echoPort: port };
}

async function aClient(port: number) {
  const socket = createConnection({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  let received = '';
  socket.on('data', (chunk) => (received += chunk.toString()));
  cleanups.push(async () => void socket.destroy());
  return { socket, received: () => received };
}

function send(socket: Socket, text: string) {
  socket.write(text);
}

describe('startPausableTcpProxy', () => {
  it('forwards bytes both ways', async () => {
    const { proxy } = await startEchoServerBehindProxy();
    const client = await aClient(proxy.port);

    send(client.socket, 'hello');

    await eventually(() => expect(client.received()).toBe('hello'));
  });

  it('freezes the connections open now and lets later ones through, until resumed', async () => {
    const { proxy } = await startEchoServerBehindProxy();
    const stuck = await aClient(proxy.port);
    await eventually(() => expect(proxy.openConnections).toBe(1));

    proxy.freezeOpenConnections();
    send(stuck.socket, 'lost?');
    const fresh = await aClient(proxy.port);
    send(fresh.socket, 'fresh');

    await eventually(() => expect(fresh.received()).toBe('fresh'));
    expect(stuck.received()).toBe('');
    proxy.resume();
    await eventually(() => expect(stuck.received()).toBe('lost?'));
  });

  it('freezes new connections too while paused', async () => {
    const { proxy, echoPort } = await startEchoServerBehindProxy();

    proxy.pause();
    const client = await aClient(proxy.port);
    send(client.socket, 'anyone?');
    // A direct round trip to the echo server: by its end, a flowing proxy would have echoed too.
    const direct = await aClient(echoPort);
    send(direct.socket, 'direct');
    await eventually(() => expect(direct.received()).toBe('direct'));

    expect(client.received()).toBe('');
    proxy.resume();
    await eventually(() => expect(client.received()).toBe('anyone?'));
  });
});

// Runs inside the test node's network namespace (started there with nsenter by exposeToNode):
// listens on HOST:PORT, an address that exists only in that namespace, and relays every
// connection to a unix socket on the shared filesystem, where the test process answers. Pods
// thereby reach a fake that lives in the test process (a fake model provider whose queue and
// recorded requests the test reads), and nothing is routed out of the node's namespace.
//
//   node tcp-to-unix-relay.ts HOST PORT SOCKET_PATH
//
// Prints `listening` once bound; exits when stdin closes (its test process is gone).
import { createConnection, createServer } from 'node:net';

const [host, portText, socketPath] = process.argv.slice(2);
if (!host || !portText || !socketPath) {
  process.stderr.write('usage: tcp-to-unix-relay.ts HOST PORT SOCKET_PATH\n');
  process.exit(2);
}

const server = createServer((client) => {
  const upstream = createConnection({ path: socketPath });
  client.pipe(upstream).pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
});
server.on('error', (err) => {
  process.stderr.write(`relay ${host}:${portText}: ${err.message}\n`);
  process.exit(1);
});
server.listen({ host, port: Number(portText) }, () => process.stdout.write('listening\n'));
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));

// The fake MCP server (test/fakes/start-fake-mcp-server.ts) in a process of its own, for
// benchmarks: it prints its URL as one line and stops when its stdin closes.
import { startFakeMcpServer } from '../fakes/start-fake-mcp-server.ts';

const server = await startFakeMcpServer();
process.stdout.write(`${server.url}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void server.close().then(() => process.exit(0));
});

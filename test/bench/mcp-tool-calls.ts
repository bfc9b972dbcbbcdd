// npm run bench (or node test/bench/mcp-tool-calls.ts): what the runtime adds to an MCP tool
// call (issue 16, tools of type mcp). Against the SDK-built fake MCP server in a process of its
// own, it measures lookup_order called by the SDK's own client, then through the runtime's
// createMcpTools (its deadline, rate-limit check and the SSRF-guarded fetch on top of the same
// client), at 1 and 16 concurrent calls; and the cold discovery an agent's first run pays
// (connect, initialise, list). Prints the numbers; asserts nothing.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import pino from 'pino';
import { createMcpTools } from '../../runtime/tools/mcp/create-mcp-tools.ts';
import { measureLoad } from './measure-load.ts';

const callsPerCase = 3_000;
const discoveries = 20;

const server = spawn(process.execPath, [join(import.meta.dirname, 'fake-mcp-server-process.ts')], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const [url] = (await once(createInterface({ input: server.stdout }), 'line')) as [string];
const log = pino({ level: 'silent' });
const signal = new AbortController().signal;
const mcpTools = () =>
  createMcpTools({
    agent: 'bench',
    specs: [{ name: 'orders', type: 'mcp', config: { url, allow_localhost: true } }],
    credentials: () => undefined,
    log,
    takenNames: new Set(),
    now: Date.now,
  });
const print = (line: string) => process.stdout.write(`${line}\n`);
const format = (stats: Awaited<ReturnType<typeof measureLoad>>) =>
  `${Math.round(stats.runsPerSecond).toLocaleString('en')} calls/s, p50 ${stats.p50.toFixed(2)} ms, p99 ${stats.p99.toFixed(2)} ms`;

try {
  const client = new Client({ name: 'bench', version: '1' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  const direct = () => client.callTool({ name: 'lookup_order', arguments: { order_id: 'A-1' } }).then(() => undefined);
  const tools = mcpTools();
  const [lookup] = (await tools.discover(signal)).filter((tool) => tool.remoteName === 'lookup_order');
  if (!lookup) throw new Error('the fake server offered no lookup_order');
  const viaRuntime = async () => {
    const result = await tools.execute({ name: lookup.name, input: { order_id: 'A-1' } }, lookup, { signal });
    if (!result.success) throw new Error(result.error.message);
  };
  // Warm both paths before measuring.
  await measureLoad(direct, 4, 300);
  await measureLoad(viaRuntime, 4, 300);
  for (const concurrency of [1, 16]) {
    print(`c${concurrency}  SDK client alone:    ${format(await measureLoad(direct, concurrency, callsPerCase))}`);
    print(`c${concurrency}  through the runtime: ${format(await measureLoad(viaRuntime, concurrency, callsPerCase))}`);
  }
  await tools.close();
  await client.close();

  const times: number[] = [];
  for (let index = 0; index < discoveries; index++) {
    const fresh = mcpTools();
    const startedAt = performance.now();
    await fresh.discover(signal);
    times.push(performance.now() - startedAt);
    await fresh.close();
  }
  times.sort((a, b) => a - b);
  print(
    `cold discovery (connect, initialise, list), ${discoveries} times: p50 ${times[discoveries / 2]?.toFixed(1)} ms, max ${times.at(-1)?.toFixed(1)} ms`,
  );
} finally {
  server.stdin.end();
  await once(server, 'exit');
}

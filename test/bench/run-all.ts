// npm run bench: every benchmark, one after the other, each in a process of its own so one's
// children, sockets and heap never weigh on the next. Prints their numbers; asserts nothing.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const benchmarks = [
  'runtime-overhead.ts',
  'runtime-soak.ts',
  'content-filter-ttft.ts',
  'vector-store-throughput.ts',
  'api-overhead.ts',
  'run-reservation.ts',
  'mcp-tool-calls.ts',
  'operator-throughput.ts',
  'deploy-latency.ts',
  'wake-latency.ts',
  'real-node.ts',
];

let failed = false;
for (const benchmark of benchmarks) {
  process.stdout.write(`\n== ${benchmark}\n\n`);
  const result = spawnSync(process.execPath, [join(import.meta.dirname, benchmark)], { stdio: 'inherit' });
  if (result.status !== 0) {
    process.stderr.write(`${benchmark} failed (exit ${result.status ?? result.signal})\n`);
    failed = true;
  }
}
process.exitCode = failed ? 1 : 0;

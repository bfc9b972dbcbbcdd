// astromeshd's CPU per run (issue 13, goal 2), for profiling: not in `npm run bench`.
//
// Three processes: this load generator, a fake OpenAI provider, astromeshd. Sends warm-up runs,
// then N runs at one concurrency, and prints runs/s and the runtime's CPU ms per run (utime +
// stime from /proc, the steadier figure when other work shares the cores). With --cpu-prof <dir>
// astromeshd writes a V8 CPU profile there (on SIGTERM) and the top functions by self time, and
// the self time per file, are printed from it.
//
//   node test/bench/runtime-cpu.ts [--concurrency 64] [--runs 20000] [--image-flags]
//        [--node-flags="--max-semi-space-size=8"] [--cpu-prof /tmp/prof]
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { Agent } from 'undici';
import { imageNodeFlags } from '../support/image-node-flags.ts';
import { numberedNames, writeLoadAgents } from '../support/write-load-agents.ts';
import { measureLoad } from './measure-load.ts';
import { cpuSecondsOf, rssMibOf } from './process-usage.ts';
import { runBenchAgent } from './run-bench-agent.ts';
import { startBenchRuntime } from './start-bench-runtime.ts';
import { startFakeProviderProcess } from './start-fake-provider-process.ts';

const { values } = parseArgs({
  options: {
    concurrency: { type: 'string', default: '64' },
    runs: { type: 'string', default: '20000' },
    'image-flags': { type: 'boolean', default: false },
    'node-flags': { type: 'string', default: '' },
    'cpu-prof': { type: 'string' },
  },
});
const concurrency = Number(values.concurrency);
const runs = Number(values.runs);
const repoRoot = join(import.meta.dirname, '..', '..');

const dispatcher = new Agent({ connections: 256, pipelining: 1 });

async function main(): Promise<void> {
  const fake = await startFakeProviderProcess();
  const work = mkdtempSync(join(tmpdir(), 'astromesh-cpu-'));
  const profileDir = values['cpu-prof'];
  const nodeFlags = [
    ...(values['image-flags'] ? imageNodeFlags() : []),
    ...values['node-flags'].split(' ').filter(Boolean),
    ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []),
  ];
  if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  try {
    const agentsDir = join(work, 'agents');
    mkdirSync(agentsDir);
    writeLoadAgents(agentsDir, numberedNames('bench', 5));
    writeFileSync(join(work, 'credentials.yaml'), `OPENAI_API_KEY: sk-bench\nOPENAI_BASE_URL: ${fake.url}\n`);
    const { url, child } = await startBenchRuntime(agentsDir, join(work, 'credentials.yaml'), { nodeFlags });
    const pid = child.pid as number;
    const run = async () => {
      await runBenchAgent(url, 'bench-1', dispatcher);
    };
    try {
      // Idle: 5 agents loaded, one run answered (the modules a run needs are loaded).
      await run();
      const idleRssMib = rssMibOf(pid);
      await measureLoad(run, concurrency, 2_000);
      const cpuBefore = cpuSecondsOf(pid);
      const stats = await measureLoad(run, concurrency, runs);
      const cpuMsPerRun = ((cpuSecondsOf(pid) - cpuBefore) * 1000) / runs;
      process.stdout.write(
        [
          `astromeshd ${nodeFlags.join(' ') || '(no flags)'}, concurrency ${concurrency}, ${runs} runs`,
          `  ${stats.runsPerSecond.toFixed(0)} runs/s  p50 ${stats.p50.toFixed(2)} ms  p99 ${stats.p99.toFixed(2)} ms`,
          `  CPU ${cpuMsPerRun.toFixed(3)} ms/run  RSS idle ${idleRssMib.toFixed(1)} MiB, after ${rssMibOf(pid).toFixed(1)} MiB  load ${loadavg()[0]?.toFixed(2)}`,
          '',
        ].join('\n'),
      );
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    if (profileDir) printProfile(profileDir);
  } finally {
    fake.child.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
    await dispatcher.close();
  }
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

/** Self time by function and by file, from the .cpuprofile's samples and time deltas. */
function printProfile(dir: string): void {
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no .cpuprofile in ${dir}`);
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const frame = (nodes.get(id) as ProfileNode).callFrame;
    const micros = profile.timeDeltas[i] ?? 0;
    total += micros;
    const where = shortUrl(frame.url);
    const fn = `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + micros);
    byFile.set(where, (byFile.get(where) ?? 0) + micros);
  });
  const top = (map: Map<string, number>, n: number) =>
    [...map]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([name, micros]) => `  ${((100 * micros) / total).toFixed(1).padStart(5)}%  ${name}`);
  process.stdout.write(
    [
      `profile ${join(dir, file)}: ${(total / 1000).toFixed(0)} ms sampled`,
      'self time by function:',
      ...top(byFunction, 40),
      'self time by file:',
      ...top(byFile, 30),
      '',
    ].join('\n'),
  );
}

function shortUrl(url: string): string {
  if (!url) return '(native)';
  const path = url.startsWith('file://') ? new URL(url).pathname : url;
  return path.startsWith(repoRoot) ? relative(repoRoot, path) : path;
}

await main();

// npm run bench: astromeshd's memory over a long run of agent runs without session ids
// (issue 13, goal 3). Three processes: this load generator, a fake OpenAI provider, astromeshd
// started with the image's Node flags (the Dockerfile's ENTRYPOINT). Every 10,000 runs it prints
// the runtime's RSS and heap, read through a reporter preloaded into it; at the end, the last
// RSS over the RSS after the first 10,000 (the goal: at most 1.3×). Prints numbers, asserts
// nothing.
//
//   SOAK_RUNS=30000 node test/bench/runtime-soak.ts    fewer runs (default 100,000: ~4 min on 2 cores)
//   SOAK_SNAPSHOTS=/tmp/soak node test/bench/runtime-soak.ts
//                                                      heap snapshots at each step, to compare
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { imageNodeFlags } from '../support/image-node-flags.ts';
import { numberedNames, writeLoadAgents } from '../support/write-load-agents.ts';
import { rssMibOf } from './process-usage.ts';
import { runBenchAgent } from './run-bench-agent.ts';
import { startBenchRuntime } from './start-bench-runtime.ts';
import { startFakeProviderProcess } from './start-fake-provider-process.ts';

const totalRuns = Number(process.env.SOAK_RUNS ?? 100_000);
const step = 10_000;
const concurrency = 64;
const agents = 5;
const snapshotDir = process.env.SOAK_SNAPSHOTS;

const dispatcher = new Agent({ connections: 256, pipelining: 1 });
const children: ChildProcess[] = [];

interface Sample {
  runs: number;
  rssMib: number;
  heapUsedMib: number;
  heapTotalMib: number;
  externalMib: number;
  runsPerSecond: number;
}

async function main(): Promise<void> {
  const fake = await startFakeProviderProcess();
  children.push(fake.child);
  const work = mkdtempSync(join(tmpdir(), 'astromesh-soak-'));
  try {
    const agentsDir = join(work, 'agents');
    mkdirSync(agentsDir);
    writeLoadAgents(agentsDir, numberedNames('soak', agents));
    writeFileSync(join(work, 'credentials.yaml'), `OPENAI_API_KEY: sk-bench\nOPENAI_BASE_URL: ${fake.url}\n`);
    const flags = imageNodeFlags();
    const { url, child } = await startBenchRuntime(agentsDir, join(work, 'credentials.yaml'), {
      nodeFlags: [...flags, '--import', join(import.meta.dirname, 'report-memory-over-ipc.ts')],
      ipc: true,
    });
    children.push(child);
    if (snapshotDir) mkdirSync(snapshotDir, { recursive: true });

    const idle = await sample(child, 0, 0);
    const samples: Sample[] = [];
    for (let done = 0; done < totalRuns; ) {
      const runs = Math.min(step, totalRuns - done);
      const startedAt = performance.now();
      await sendRuns(url, runs, done);
      done += runs;
      samples.push(await sample(child, done, runs / ((performance.now() - startedAt) / 1000)));
      if (snapshotDir) await ask(child, { snapshot: join(snapshotDir, `after-${done}.heapsnapshot`) });
    }
    print(flags, idle, samples);
  } finally {
    for (const child of children) child.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
    await dispatcher.close();
  }
}

/** `count` runs, `concurrency` at a time, spread over the agents; none names a session. */
async function sendRuns(url: string, count: number, offset: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const run = offset + next++;
        await runBenchAgent(url, `soak-${(run % agents) + 1}`, dispatcher);
      }
    }),
  );
}

async function sample(child: ChildProcess, runs: number, runsPerSecond: number): Promise<Sample> {
  const { memory } = (await ask(child, 'memory')) as { memory: NodeJS.MemoryUsage };
  const mib = (bytes: number) => bytes / 1024 / 1024;
  return {
    runs,
    rssMib: rssMibOf(child.pid as number),
    heapUsedMib: mib(memory.heapUsed),
    heapTotalMib: mib(memory.heapTotal),
    externalMib: mib(memory.external),
    runsPerSecond,
  };
}

function ask(child: ChildProcess, message: unknown): Promise<unknown> {
  return new Promise((resolve) => {
    child.once('message', resolve);
    child.send(message as string);
  });
}

function print(flags: string[], idle: Sample, samples: Sample[]): void {
  const row = (s: Sample) =>
    `${String(s.runs).padStart(7)}  ${s.rssMib.toFixed(1).padStart(7)}  ${s.heapUsedMib.toFixed(1).padStart(9)}  ` +
    `${s.heapTotalMib.toFixed(1).padStart(10)}  ${s.externalMib.toFixed(1).padStart(8)}  ${s.runsPerSecond.toFixed(0).padStart(6)}`;
  const lines = [
    `astromeshd memory under ${totalRuns} runs without session ids (concurrency ${concurrency}, ${agents} agents)`,
    `node flags: ${flags.join(' ') || '(none)'}`,
    '',
    '   runs  RSS MiB  heap used  heap total  external  runs/s',
    row(idle),
    ...samples.map(row),
  ];
  const first = samples[0];
  const last = samples.at(-1);
  if (first && last && last !== first) {
    lines.push('', `RSS after ${last.runs} runs / after ${first.runs}: ${(last.rssMib / first.rssMib).toFixed(2)}×`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();

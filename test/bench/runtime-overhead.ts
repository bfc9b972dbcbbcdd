// npm run bench: runtime overhead of astromeshd over a direct call to the same fake model.
//
// Three processes: this load generator, a fake OpenAI provider, and astromeshd (started the way
// production starts it: `node runtime/main.ts`). "Direct" is the same Chat Completions request
// the runtime makes for a run over HTTP (JSON, not streamed), sent by this process straight to
// the fake; overhead is runtime latency minus direct latency, at the same percentile. Prints
// numbers, asserts nothing.
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'undici';
import { numberedNames, writeLoadAgents } from '../support/write-load-agents.ts';
import { callFakeDirectly } from './call-fake-directly.ts';
import { measureLoad as measure, type LoadStats as Stats } from './measure-load.ts';
import { rssMibOf } from './process-usage.ts';
import { runBenchAgent } from './run-bench-agent.ts';
import { startBenchRuntime } from './start-bench-runtime.ts';
import { startFakeProviderProcess } from './start-fake-provider-process.ts';

const dispatcher = new Agent({ connections: 256, pipelining: 1 });
const children: ChildProcess[] = [];

async function main(): Promise<void> {
  const fakeUrl = await startFake();
  const work = mkdtempSync(join(tmpdir(), 'astromesh-bench-'));
  try {
    const agentsDir = join(work, 'agents');
    mkdirSync(agentsDir);
    writeLoadAgents(agentsDir, numberedNames('bench', 5));
    writeFileSync(join(work, 'credentials.yaml'), `OPENAI_API_KEY: sk-bench\nOPENAI_BASE_URL: ${fakeUrl}\n`);

    const coldStart = await startRuntime(agentsDir, join(work, 'credentials.yaml'));
    const runtimeUrl = coldStart.url;
    const direct = () => callFakeDirectly(fakeUrl, dispatcher);
    const viaRuntime = () => runAgent(runtimeUrl, 'bench-1');

    await measure(direct, 1, 300);
    await measure(viaRuntime, 1, 300);
    const results: { concurrency: number; direct: Stats; runtime: Stats }[] = [];
    for (const [concurrency, total] of [
      [1, 2_000],
      [64, 10_000],
    ] as const) {
      const directStats = await measure(direct, concurrency, total);
      const runtimeStats = await measure(viaRuntime, concurrency, total);
      results.push({ concurrency, direct: directStats, runtime: runtimeStats });
    }
    const rssMb = rssMibOf(coldStart.pid);

    print(results, { coldStartMs: coldStart.firstRunMs, rssMb });
  } finally {
    for (const child of children) child.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
    await dispatcher.close();
  }
}

async function startFake(): Promise<string> {
  const { url, child } = await startFakeProviderProcess();
  children.push(child);
  return url;
}

/** Starts astromeshd and times it from spawn to the first answered run. */
async function startRuntime(agentsDir: string, credentials: string) {
  const startedAt = performance.now();
  const { url, child } = await startBenchRuntime(agentsDir, credentials);
  children.push(child);
  await runAgent(url, 'bench-1');
  return { url, pid: child.pid as number, firstRunMs: performance.now() - startedAt };
}

async function runAgent(baseUrl: string, agent: string): Promise<void> {
  await runBenchAgent(baseUrl, agent, dispatcher);
}

function print(
  results: { concurrency: number; direct: Stats; runtime: Stats }[],
  extra: { coldStartMs: number; rssMb: number },
): void {
  const ms = (value: number) => `${value.toFixed(2)} ms`;
  const lines = ['astromeshd runtime overhead (fake OpenAI provider, Chat Completions)', ''];
  for (const { concurrency, direct, runtime } of results) {
    lines.push(
      `concurrency ${concurrency}:`,
      `  direct   p50 ${ms(direct.p50)}  p99 ${ms(direct.p99)}  ${direct.runsPerSecond.toFixed(0)} calls/s`,
      `  runtime  p50 ${ms(runtime.p50)}  p99 ${ms(runtime.p99)}  ${runtime.runsPerSecond.toFixed(0)} runs/s`,
      `  overhead p50 ${ms(runtime.p50 - direct.p50)}  p99 ${ms(runtime.p99 - direct.p99)}`,
    );
  }
  lines.push(
    '',
    `RSS of astromeshd with 5 agents loaded, after the runs: ${extra.rssMb.toFixed(1)} MiB`,
    `cold start (spawn to first answered run): ${ms(extra.coldStartMs)}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();

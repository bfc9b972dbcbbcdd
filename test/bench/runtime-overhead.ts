// npm run bench: runtime overhead of astromeshd over a direct call to the same fake model.
//
// Three processes: this load generator, a fake OpenAI provider, and astromeshd (started the way
// production starts it: `node runtime/main.ts`). "Direct" is the same Chat Completions request
// the runtime makes for a run over HTTP (JSON, not streamed), sent by this process straight to
// the fake; overhead is runtime latency minus direct latency, at the same percentile. Prints
// numbers, asserts nothing.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Agent, fetch as undiciFetch } from 'undici';
import { startBenchRuntime } from './start-bench-runtime.ts';

const dispatcher = new Agent({ connections: 256, pipelining: 1 });
const children: ChildProcess[] = [];

interface Stats {
  p50: number;
  p99: number;
  mean: number;
  runsPerSecond: number;
}

async function main(): Promise<void> {
  const fakeUrl = await startFake();
  const work = mkdtempSync(join(tmpdir(), 'astromesh-bench-'));
  try {
    const agentsDir = join(work, 'agents');
    mkdirSync(agentsDir);
    for (let i = 1; i <= 5; i++) writeFileSync(join(agentsDir, `bench-${i}.yaml`), agentYaml(`bench-${i}`));
    writeFileSync(join(work, 'credentials.yaml'), `OPENAI_API_KEY: sk-bench\nOPENAI_BASE_URL: ${fakeUrl}\n`);

    const coldStart = await startRuntime(agentsDir, join(work, 'credentials.yaml'));
    const runtimeUrl = coldStart.url;
    const direct = () => callFakeDirectly(fakeUrl);
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
    const rssMb = rssOf(coldStart.pid) / 1024;

    print(results, { coldStartMs: coldStart.firstRunMs, rssMb });
  } finally {
    for (const child of children) child.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
    await dispatcher.close();
  }
}

function agentYaml(name: string): string {
  return [
    'apiVersion: astromesh/v1',
    'kind: Agent',
    `metadata: {name: ${name}}`,
    'spec:',
    '  model:',
    '    primary: {provider: openai, model: gpt-4o-mini}',
    '  prompts: {system: "You are a benchmark agent."}',
    '  tools: [{name: calculator, type: builtin}]',
    '',
  ].join('\n');
}

async function startFake(): Promise<string> {
  const child = spawn(process.execPath, [join(import.meta.dirname, 'fake-provider-process.ts')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const [line] = await linesOf(child, 1);
  return line as string;
}

/** Starts astromeshd and times it from spawn to the first answered run. */
async function startRuntime(agentsDir: string, credentials: string) {
  const startedAt = performance.now();
  const { url, child } = await startBenchRuntime(agentsDir, credentials);
  children.push(child);
  await runAgent(url, 'bench-1');
  return { url, pid: child.pid as number, firstRunMs: performance.now() - startedAt };
}

async function linesOf(child: ChildProcess, count: number): Promise<string[]> {
  const lines: string[] = [];
  const reader = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of reader) {
    lines.push(line);
    if (lines.length === count) break;
  }
  return lines;
}

async function callFakeDirectly(baseUrl: string): Promise<void> {
  const response = await undiciFetch(`${baseUrl}/chat/completions`, {
    dispatcher,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-bench' },
    body: JSON.stringify({
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'You are a benchmark agent.' },
        { role: 'user', content: 'Say something.' },
      ],
    }),
  });
  await response.text();
  if (!response.ok) throw new Error(`fake answered ${response.status}`);
}

async function runAgent(baseUrl: string, agent: string): Promise<void> {
  const response = await undiciFetch(`${baseUrl}/v1/agents/${agent}/run`, {
    dispatcher,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: 'Say something.' }),
  });
  const body = await response.text();
  if (!response.ok) throw new Error(`runtime answered ${response.status}: ${body}`);
}

async function measure(call: () => Promise<void>, concurrency: number, total: number): Promise<Stats> {
  const latencies: number[] = [];
  let next = 0;
  const startedAt = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        const callStartedAt = performance.now();
        await call();
        latencies.push(performance.now() - callStartedAt);
      }
    }),
  );
  const elapsedSeconds = (performance.now() - startedAt) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] as number;
  return {
    p50: at(0.5),
    p99: at(0.99),
    mean: latencies.reduce((sum, value) => sum + value, 0) / latencies.length,
    runsPerSecond: latencies.length / elapsedSeconds,
  };
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN);
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

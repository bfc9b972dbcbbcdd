// npm run bench:upstream: astromeshd raced against upstream Astromesh (PyPI astromesh, served by
// uvicorn from a cached virtualenv) on one agent file and one fake OpenAI provider.
//
// Four processes: this load generator, the fake (fake-provider-process.ts), astromeshd
// (`node runtime/main.ts`) and upstream's uvicorn, both runtimes up the whole time on the same
// cores. For each concurrency and rep the fake is called directly (the floor), then each runtime
// gets a warm-up and N runs, in alternating order. Each run's body must carry the fake's answer.
// Prints the table issue 13 asks for, CPU seconds per 1,000 runs and idle RSS; asserts nothing,
// and is in neither `npm test` nor `npm run bench` (it installs upstream from PyPI).
//
//   npm run bench:upstream [-- --reps 2 --scale 1 --upstream-logs quiet]
//
// --scale multiplies every run count; --upstream-logs shipped keeps upstream's default logging
// (DEBUG, four lines per run, and uvicorn's access log) instead of silencing it like ours.
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Agent } from 'undici';
import { installUpstreamAstromesh } from '../binaries/install-upstream-astromesh.ts';
import { benchFakeAnswer } from './bench-fake-answer.ts';
import { callFakeDirectly } from './call-fake-directly.ts';
import { type LoadStats, measureLoad } from './measure-load.ts';
import { cpuSecondsOf, rssMibOf } from './process-usage.ts';
import { runBenchAgent } from './run-bench-agent.ts';
import { startBenchRuntime } from './start-bench-runtime.ts';
import { startFakeProviderProcess } from './start-fake-provider-process.ts';
import { startUpstreamRuntime } from './start-upstream-runtime.ts';

const runsAt = new Map([
  [1, 1_000],
  [16, 2_000],
  [64, 4_000],
]);
const warmUpRuns = 300;
const agentName = 'race';

interface Contender {
  name: 'ours' | 'upstream';
  url: string;
  pid: number;
  /** The field of a run's JSON body that holds the answer. */
  answerField: string;
  logTail: () => string;
}

interface Block {
  stats: LoadStats;
  cpuSecondsPer1000Runs: number;
}

interface Row {
  concurrency: number;
  rep: number;
  floor: LoadStats;
  ours: Block;
  upstream: Block;
}

const dispatcher = new Agent({ connections: 256, pipelining: 1 });
const children: ChildProcess[] = [];
const log = (message: string) => process.stdout.write(`${message}\n`);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { reps: { type: 'string' }, scale: { type: 'string' }, 'upstream-logs': { type: 'string' } },
  });
  const reps = positiveNumber('--reps', values.reps ?? '2');
  const scale = positiveNumber('--scale', values.scale ?? '1');
  const upstreamLogs = values['upstream-logs'] ?? 'quiet';
  if (upstreamLogs !== 'quiet' && upstreamLogs !== 'shipped') {
    throw new Error(`--upstream-logs must be quiet or shipped, not ${JSON.stringify(upstreamLogs)}`);
  }

  const upstreamInstall = await installUpstreamAstromesh(log);
  const work = mkdtempSync(join(tmpdir(), 'astromesh-upstream-race-'));
  try {
    log('starting the fake provider, astromeshd and upstream…');
    const fake = await startFakeProviderProcess();
    children.push(fake.child);
    const configDir = join(work, 'config');
    mkdirSync(join(configDir, 'agents'), { recursive: true });
    // Upstream reads config/agents/*.agent.yaml; astromeshd reads that same folder.
    writeFileSync(join(configDir, 'agents', `${agentName}.agent.yaml`), agentYaml(fake.url));
    writeFileSync(join(work, 'credentials.yaml'), 'OPENAI_API_KEY: sk-bench\n');

    const oursStarted = await startBenchRuntime(join(configDir, 'agents'), join(work, 'credentials.yaml'));
    children.push(oursStarted.child);
    const upstreamStarted = await startUpstreamRuntime({
      python: upstreamInstall.python,
      configDir,
      env: { OPENAI_API_KEY: 'sk-bench' },
      logs: upstreamLogs,
    });
    children.push(upstreamStarted.child);
    const ours: Contender = {
      name: 'ours',
      url: oursStarted.url,
      pid: oursStarted.child.pid as number,
      answerField: 'response',
      logTail: () => '(astromeshd logs to this terminal)',
    };
    const upstream: Contender = {
      name: 'upstream',
      url: upstreamStarted.url,
      pid: upstreamStarted.child.pid as number,
      answerField: 'answer',
      logTail: upstreamStarted.logTail,
    };
    const cores = pinToTwoCores([ours.pid, upstream.pid]);

    for (const contender of [ours, upstream]) await verifyAnswer(contender);
    const idleBefore = { ours: rssMibOf(ours.pid), upstream: rssMibOf(upstream.pid) };
    const loadBefore = loadavg();
    log(`both answer "${benchFakeAnswer}"; warming up (${warmUpRuns} runs each at concurrency 16)…`);
    for (const contender of [ours, upstream]) await measureLoad(() => run(contender), 16, warmUpRuns);

    const rows: Row[] = [];
    for (const [concurrency, baseRuns] of runsAt) {
      const runs = Math.max(concurrency, Math.round(baseRuns * scale));
      for (let rep = 1; rep <= reps; rep++) {
        log(`concurrency ${concurrency}, rep ${rep}: ${runs} runs each…`);
        const floor = await timedBlock(() => callFakeDirectly(fake.url, dispatcher), concurrency, runs);
        const order = rep % 2 === 1 ? [ours, upstream] : [upstream, ours];
        const blocks = new Map<string, Block>();
        for (const contender of order) {
          blocks.set(contender.name, await raceBlock(contender, concurrency, runs));
        }
        rows.push({
          concurrency,
          rep,
          floor: floor.stats,
          ours: blocks.get('ours') as Block,
          upstream: blocks.get('upstream') as Block,
        });
      }
    }
    // A second for each runtime's post-load housekeeping (timers, GC) before the idle reading.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const idleAfter = { ours: rssMibOf(ours.pid), upstream: rssMibOf(upstream.pid) };

    print({
      rows,
      idleBefore,
      idleAfter,
      loads: [loadBefore, loadavg()],
      cores,
      upstreamVersion: `astromesh ${upstreamInstall.version} (${upstreamInstall.venvDir}), ${upstreamLogs === 'quiet' ? 'INFO logs, no access log' : 'its default DEBUG logs and access log'}`,
    });
  } finally {
    for (const child of children) child.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
    await dispatcher.close();
  }
}

function agentYaml(fakeUrl: string): string {
  // A react agent, one model on an OpenAI-compatible provider, no tools, no memory: the same file
  // both runtimes load.
  return [
    'apiVersion: astromesh/v1',
    'kind: Agent',
    `metadata: {name: ${agentName}}`,
    'spec:',
    '  model:',
    `    primary: {provider: openai_compat, model: gpt-4o-mini, endpoint: "${fakeUrl}", api_key_env: OPENAI_API_KEY}`,
    '  prompts: {system: "You are a benchmark agent."}',
    '  orchestration: {pattern: react}',
    '',
  ].join('\n');
}

/** One run; a body without the fake's answer fails the race, with the runtime's log tail. */
async function run(contender: Contender): Promise<void> {
  let body: string;
  try {
    body = await runBenchAgent(contender.url, agentName, dispatcher);
  } catch (err) {
    throw failure(contender, (err as Error).message);
  }
  if (!body.includes(benchFakeAnswer)) throw failure(contender, `answered without the fake's answer: ${body}`);
}

async function verifyAnswer(contender: Contender): Promise<void> {
  const body = await runBenchAgent(contender.url, agentName, dispatcher).catch((err: Error) => {
    throw failure(contender, err.message);
  });
  const answer = (JSON.parse(body) as Record<string, unknown>)[contender.answerField];
  if (answer !== benchFakeAnswer) {
    throw failure(contender, `answered ${contender.answerField} ${JSON.stringify(answer)}, not the fake's answer`);
  }
}

function failure(contender: Contender, why: string): Error {
  return new Error(
    `${contender.name} runtime ${why.slice(0, 2000)}\n${contender.name}'s log ends:\n${contender.logTail()}`,
  );
}

/** A short warm-up at this concurrency (connections opened, pools filled), then the timed runs. */
async function raceBlock(contender: Contender, concurrency: number, runs: number): Promise<Block> {
  return timedBlock(() => run(contender), concurrency, runs, contender.pid);
}

async function timedBlock(call: () => Promise<void>, concurrency: number, runs: number, pid?: number): Promise<Block> {
  await measureLoad(call, concurrency, Math.max(50, 2 * concurrency));
  const cpuBefore = pid === undefined ? 0 : cpuSecondsOf(pid);
  const stats = await measureLoad(call, concurrency, runs);
  const cpuSeconds = pid === undefined ? Number.NaN : cpuSecondsOf(pid) - cpuBefore;
  return { stats, cpuSecondsPer1000Runs: (cpuSeconds / runs) * 1000 };
}

/**
 * Both runtimes get the same two cores: on a larger machine they are pinned to CPUs 0 and 1
 * (every thread, with taskset); on a two-core machine they already share all of it.
 */
function pinToTwoCores(pids: number[]): string {
  const cores = availableParallelism();
  if (cores <= 2) return `${cores} cores, shared by all four processes`;
  for (const pid of pids) execFileSync('taskset', ['--all-tasks', '--cpu-list', '--pid', '0,1', String(pid)]);
  return `both runtimes pinned to CPUs 0,1 of ${cores}`;
}

function positiveNumber(flag: string, text: string): number {
  const value = Number(text);
  if (!(value > 0)) throw new Error(`${flag} must be a positive number, not ${JSON.stringify(text)}`);
  return value;
}

function print(result: {
  rows: Row[];
  idleBefore: { ours: number; upstream: number };
  idleAfter: { ours: number; upstream: number };
  loads: number[][];
  cores: string;
  upstreamVersion: string;
}): void {
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  const perSecond = (value: number) => value.toFixed(0);
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const lines = [
    '',
    `astromeshd (Node ${process.versions.node}) against upstream ${result.upstreamVersion}`,
    `one agent (react, openai_compat, no tools, no memory), one fake in its own process; ${result.cores}`,
    `load average (1/5/15 min) before: ${result.loads[0]?.map((v) => v.toFixed(2)).join(' ')}, after: ${result.loads[1]?.map((v) => v.toFixed(2)).join(' ')}`,
    '',
    '| concurrency | rep | ours runs/s | upstream runs/s | ratio | ours p50 − floor | ours p99 | upstream p50 | upstream p99 | floor p50 | floor calls/s |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const row = (label: string, rep: string, rows: Row[]) => {
    const m = (pick: (row: Row) => number) => mean(rows.map(pick));
    const oursRate = m((r) => r.ours.stats.runsPerSecond);
    const upstreamRate = m((r) => r.upstream.stats.runsPerSecond);
    return `| ${label} | ${rep} | ${perSecond(oursRate)} | ${perSecond(upstreamRate)} | ${(oursRate / upstreamRate).toFixed(1)}× | ${ms(m((r) => r.ours.stats.p50 - r.floor.p50))} | ${ms(m((r) => r.ours.stats.p99))} | ${ms(m((r) => r.upstream.stats.p50))} | ${ms(m((r) => r.upstream.stats.p99))} | ${ms(m((r) => r.floor.p50))} | ${perSecond(m((r) => r.floor.runsPerSecond))} |`;
  };
  const concurrencies = [...new Set(result.rows.map((r) => r.concurrency))];
  for (const concurrency of concurrencies) {
    const rows = result.rows.filter((r) => r.concurrency === concurrency);
    for (const r of rows) lines.push(row(String(concurrency), String(r.rep), [r]));
    if (rows.length > 1) lines.push(row(String(concurrency), 'mean', rows));
  }
  lines.push(
    '',
    '| concurrency | ours CPU s / 1,000 runs | upstream CPU s / 1,000 runs | upstream ÷ ours |',
    '|---|---|---|---|',
  );
  for (const concurrency of concurrencies) {
    const rows = result.rows.filter((r) => r.concurrency === concurrency);
    const oursCpu = mean(rows.map((r) => r.ours.cpuSecondsPer1000Runs));
    const upstreamCpu = mean(rows.map((r) => r.upstream.cpuSecondsPer1000Runs));
    lines.push(
      `| ${concurrency} | ${oursCpu.toFixed(2)} | ${upstreamCpu.toFixed(2)} | ${(upstreamCpu / oursCpu).toFixed(1)}× |`,
    );
  }
  const mib = (value: number) => `${value.toFixed(0)} MiB`;
  lines.push(
    '',
    `idle RSS before load: ours ${mib(result.idleBefore.ours)}, upstream ${mib(result.idleBefore.upstream)}`,
    `idle RSS after load:  ours ${mib(result.idleAfter.ours)}, upstream ${mib(result.idleAfter.upstream)}`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();

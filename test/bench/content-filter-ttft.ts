// npm run bench: time to first token over astromeshd's WebSocket, for the same agent without an
// output content filter and with one (literal patterns, a bounded regular expression, an unbounded
// one). A filter holds back only what a match could still need, so only the unbounded pattern,
// which keeps the 256-character window, should wait for the whole of a short answer.
//
// Three processes: this client, a fake OpenAI provider streaming the answer in chunks with a small
// delay (this file again, run with --fake), and astromeshd (`node runtime/main.ts`). Prints
// numbers, asserts nothing.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { dump } from 'js-yaml';
import { fakeReply } from '../fakes/fake-reply.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { openAgentSocket } from '../support/open-agent-socket.ts';
import { startBenchRuntime } from './start-bench-runtime.ts';

const runs = 60;
const warmupRuns = 5;
const chunkDelayMs = 10;
// A short answer (under 256 characters) in 20 chunks.
const answer = [
  'Sure. ',
  'The ',
  'quickest ',
  'way ',
  'to ',
  'reset ',
  'your ',
  'account ',
  'is ',
  'the ',
  'settings ',
  'page: ',
  'open ',
  'it, ',
  'choose ',
  'Security, ',
  'then ',
  'follow ',
  'the ',
  'steps.',
];

const agents: { name: string; label: string; patterns?: string[] }[] = [
  { name: 'plain', label: 'no content filter' },
  { name: 'literal', label: 'content_filter, literal patterns', patterns: ['password', 'swordfish', 'launch code'] },
  {
    name: 'bounded',
    label: 'content_filter, bounded regex',
    patterns: [String.raw`\bcodes?\b`, String.raw`\d{3}-\d{4}`],
  },
  { name: 'unbounded', label: 'content_filter, unbounded regex', patterns: [String.raw`pass\s*word`] },
];

const children: ChildProcess[] = [];

async function main(): Promise<void> {
  const fakeUrl = await startFakeProcess();
  const work = mkdtempSync(join(tmpdir(), 'astromesh-bench-ttft-'));
  try {
    const agentsDir = join(work, 'agents');
    mkdirSync(agentsDir);
    for (const agent of agents) writeFileSync(join(agentsDir, `${agent.name}.yaml`), agentYaml(agent));
    writeFileSync(join(work, 'credentials.yaml'), dump({ OPENAI_API_KEY: 'sk-bench', OPENAI_BASE_URL: fakeUrl }));
    const runtimeUrl = await startRuntime(agentsDir, join(work, 'credentials.yaml'));

    const rows: { label: string; firstToken: number[]; done: number[]; tokens: number }[] = [];
    for (const agent of agents) {
      const socket = await openAgentSocket(runtimeUrl, { agent: agent.name });
      const ask = async () => {
        const sentAt = performance.now();
        socket.send({ query: 'How do I reset my account?' });
        let firstTokenMs: number | undefined;
        let tokens = 0;
        for (;;) {
          const event = await socket.next();
          if (event.type === 'token') {
            firstTokenMs ??= performance.now() - sentAt;
            tokens++;
          } else if (event.type === 'done') break;
          else throw new Error(`${agent.name}: unexpected event ${JSON.stringify(event)}`);
        }
        return { firstTokenMs: firstTokenMs ?? Number.NaN, doneMs: performance.now() - sentAt, tokens };
      };
      for (let run = 0; run < warmupRuns; run++) await ask();
      const row = { label: agent.label, firstToken: [] as number[], done: [] as number[], tokens: 0 };
      for (let run = 0; run < runs; run++) {
        const result = await ask();
        row.firstToken.push(result.firstTokenMs);
        row.done.push(result.doneMs);
        row.tokens = result.tokens;
      }
      await socket.close();
      rows.push(row);
    }
    print(rows);
  } finally {
    for (const child of children) child.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
}

function agentYaml(agent: { name: string; patterns?: string[] }): string {
  return dump({
    apiVersion: 'astromesh/v1',
    kind: 'Agent',
    metadata: { name: agent.name },
    spec: {
      model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } },
      prompts: { system: 'You are a benchmark agent.' },
      ...(agent.patterns
        ? { guardrails: { output: [{ type: 'content_filter', blocked_patterns: agent.patterns }] } }
        : {}),
    },
  });
}

async function startFakeProcess(): Promise<string> {
  const child = spawn(process.execPath, [import.meta.filename, '--fake'], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return firstLineOf(child);
}

async function startRuntime(agentsDir: string, credentials: string): Promise<string> {
  const { url, child } = await startBenchRuntime(agentsDir, credentials);
  children.push(child);
  return url;
}

async function firstLineOf(child: ChildProcess): Promise<string> {
  for await (const line of createInterface({ input: child.stdout as NodeJS.ReadableStream })) return line;
  throw new Error('the fake provider exited before printing its URL');
}

function print(rows: { label: string; firstToken: number[]; done: number[]; tokens: number }[]): void {
  const ms = (value: number) => `${value.toFixed(1)} ms`.padStart(10);
  const lines = [
    `Time to first token over the astromeshd WebSocket (fake OpenAI: ${answer.length} chunks, ${chunkDelayMs} ms apart, ` +
      `${answer.join('').length}-character answer; ${runs} runs each, sequential)`,
    '',
    `${'agent'.padEnd(34)}${'TTFT p50'.padStart(10)}${'TTFT p95'.padStart(10)}${'done p50'.padStart(10)}${'done p95'.padStart(10)}  token events`,
  ];
  for (const row of rows) {
    lines.push(
      `${row.label.padEnd(34)}${ms(percentile(row.firstToken, 0.5))}${ms(percentile(row.firstToken, 0.95))}` +
        `${ms(percentile(row.done, 0.5))}${ms(percentile(row.done, 0.95))}  ${row.tokens}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

if (process.argv.includes('--fake')) {
  const fake = await startFakeProvider('openai', {
    defaultReply: fakeReply.text(answer, { chunkDelayMs, usage: { inputTokens: 20, outputTokens: 30 } }),
    maxRecordedRequests: 1,
  });
  process.stdout.write(`${fake.baseUrl}\n`);
  process.on('SIGTERM', () => {
    void fake.close().then(() => process.exit(0));
  });
} else {
  await main();
}

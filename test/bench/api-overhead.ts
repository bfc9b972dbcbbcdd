// npm run bench: what the Cloud API adds on top of the org runtime it proxies to.
//
// Processes: this load generator, a fake OpenAI provider, the API started as `npm start` starts
// it (`node api/main.ts`: embedded PostgreSQL, local backend, info-level logs) but with the Node
// flags of the chart's API Deployment and a Node compile cache written first by `node api/main.ts
// --help`, as the product image runs it (no TypeScript stripping at start), the org runtime
// the API runs, and a second astromeshd started here on the very files the API wrote for that
// org (agents, credentials, token, memory schema). "Direct" calls go to that second runtime;
// overhead is API latency minus direct latency at the same percentile. Prints numbers, asserts
// nothing. `--cpu-prof <dir>`: the API and the direct runtime write V8 CPU profiles there;
// `--api-node-flags '<flags>'`: the API runs with these Node flags instead of the chart's ('' for none).
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { Agent, fetch as undiciFetch } from 'undici';
import WebSocket from 'ws';
import { type LoadStats, measureLoad } from './measure-load.ts';

const repoRoot = join(import.meta.dirname, '..', '..');
const dispatcher = new Agent({ connections: 256, pipelining: 1 });
const children: ChildProcess[] = [];
const idleStreams = 1_000;
const cpuProfileDir = valueOfFlag('--cpu-prof');
const profileArgs = cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', cpuProfileDir] : [];
/** The Node flags the Helm chart starts the API with: `command: ["node", …flags, "api/main.ts"]`. */
function chartApiNodeFlags(): string[] {
  const template = readFileSync(join(repoRoot, 'charts/astromesh-cloud/templates/api-deployment.yaml'), 'utf8');
  const command = /command: (\[.*"api\/main\.ts"\])/.exec(template)?.[1];
  if (!command) throw new Error("the chart's API Deployment has no command naming api/main.ts");
  return (JSON.parse(command) as string[]).slice(1, -1);
}
// `--api-node-flags '--max-semi-space-size=2 …'`: Node flags for the API process, to try heap sizing.
const apiNodeFlags = valueOfFlag('--api-node-flags')?.split(' ').filter(Boolean) ?? chartApiNodeFlags();

interface Target {
  /** POST a run; resolves when the answer has been read. */
  run(): Promise<unknown>;
  /** A WebSocket URL of the agent's stream. */
  streamUrl: string;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'astromesh-api-bench-'));
  // As root, the embedded PostgreSQL runs as OS user postgres, which must be able to enter it.
  chmodSync(work, 0o755);
  try {
    const fakeUrl = (
      await linesOf(spawnChild([join(import.meta.dirname, 'fake-provider-process.ts')]), 1)
    )[0] as string;
    const api = await startApi(join(work, 'state'), await writeApiCompileCache(join(work, 'compile-cache')));
    const org = await deployBenchAgent(api.url, fakeUrl);
    const orgDir = join(work, 'state', 'orgs', org.slug);
    const runtimeToken = readFileSync(join(orgDir, 'runtime-token'), 'utf8').trim();
    const runtimeUrl = await startDirectRuntime({ orgDir, orgSlug: org.slug, memoryUrl: api.databaseUrl });
    const agentId = `${org.slug}__bench`;

    const viaApi: Target = {
      run: () => post(`${api.url}/api/v1/orgs/${org.slug}/agents/bench/run`, { authorization: `Bearer ${org.token}` }),
      streamUrl: `${api.url.replace('http', 'ws')}/api/v1/orgs/${org.slug}/agents/bench/stream?token=${org.token}`,
    };
    const direct: Target = {
      run: () => post(`${runtimeUrl}/v1/agents/${agentId}/run`, { authorization: `Bearer ${runtimeToken}` }),
      streamUrl: `${runtimeUrl.replace('http', 'ws')}/v1/ws/agent/${agentId}?token=${runtimeToken}`,
    };

    await measureLoad(direct.run, 1, 200);
    await measureLoad(viaApi.run, 1, 200);
    // Before the load below grows the heap, so the streams' own cost shows.
    const memory = await rssWithIdleStreams(api.pid, viaApi.streamUrl);
    const runs: { concurrency: number; direct: LoadStats; api: LoadStats }[] = [];
    for (const [concurrency, total] of [
      [1, 1_000],
      [64, 5_000],
    ] as const) {
      runs.push({
        concurrency,
        direct: await measureLoad(direct.run, concurrency, total),
        api: await measureLoad(viaApi.run, concurrency, total),
      });
    }
    // Transactions per run, which no load on the machine changes: what each path costs PostgreSQL.
    const transactionsPerRun = {
      direct: await transactionsPerRunOf(api.databaseUrl, direct.run, 500),
      api: await transactionsPerRunOf(api.databaseUrl, viaApi.run, 500),
    };

    await timeToFirstToken(direct.streamUrl, 50);
    await timeToFirstToken(viaApi.streamUrl, 50);
    const firstToken = {
      direct: await timeToFirstToken(direct.streamUrl, 500),
      api: await timeToFirstToken(viaApi.streamUrl, 500),
    };

    // Issue 16's ways in, each a whole run: an OpenAI chat completion (not streamed), and a
    // background run started, then followed through its events (written to PostgreSQL) to the end.
    const orgBase = `${api.url}/api/v1/orgs/${org.slug}`;
    const auth = { authorization: `Bearer ${org.token}` };
    const chatCompletion = () =>
      post(`${orgBase}/v1/chat/completions`, auth, {
        model: 'bench',
        messages: [{ role: 'user', content: 'Say something.' }],
      });
    const backgroundRun = async () => {
      const { id } = JSON.parse(await post(`${orgBase}/agents/bench/runs`, auth)) as { id: string };
      const events = await get(`${orgBase}/runs/${id}/events`, auth);
      if (!events.includes('"type":"done"')) throw new Error(`background run ${id} did not end done: ${events}`);
    };
    await measureLoad(chatCompletion, 1, 100);
    await measureLoad(backgroundRun, 1, 100);
    // …/run measured again beside them, at the same point (heap, cache, table sizes): the baseline.
    const integrations: { concurrency: number; run: LoadStats; chat: LoadStats; background: LoadStats }[] = [];
    // 8: the background runs one replica executes at once by default (ASTROMESH_MAX_BACKGROUND_RUNS).
    for (const [concurrency, total] of [
      [1, 500],
      [8, 2_000],
    ] as const) {
      integrations.push({
        concurrency,
        run: await measureLoad(viaApi.run, concurrency, total),
        chat: await measureLoad(chatCompletion, concurrency, total),
        background: await measureLoad(backgroundRun, concurrency, total),
      });
    }

    print({
      runs,
      integrations,
      firstToken,
      transactionsPerRun,
      memory: { ...memory, afterRunsMb: rssMbOf(api.pid) },
    });
  } finally {
    for (const child of children.reverse()) await stop(child);
    rmSync(work, { recursive: true, force: true });
    await dispatcher.close();
  }
}

function valueOfFlag(flag: string): string | undefined {
  const at = process.argv.indexOf(flag);
  return at === -1 ? undefined : process.argv[at + 1];
}

function spawnChild(args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const child = spawn(process.execPath, args, { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/**
 * A Node compile cache of the API's module graph, written as the product image's Dockerfile writes
 * it: `--help` loads every module statically imported and exits.
 */
async function writeApiCompileCache(cacheDir: string): Promise<string> {
  const child = spawn(process.execPath, [join(repoRoot, 'api', 'main.ts'), '--help'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_COMPILE_CACHE: cacheDir },
    stdio: 'ignore',
  });
  const code = await new Promise((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`node api/main.ts --help exited with ${code}`);
  return cacheDir;
}

/** The API as `npm start` runs it, with limits raised so the benchmark measures, not the free tier. */
async function startApi(stateDir: string, compileCacheDir: string) {
  const child = spawnChild([...apiNodeFlags, ...profileArgs, join(repoRoot, 'api', 'main.ts')], {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_COMPILE_CACHE: compileCacheDir,
    ASTROMESH_STATE_DIR: stateDir,
    PORT: '0',
    ASTROMESH_DAILY_RUNS: '100000000',
    ASTROMESH_MAX_STREAMS: String(idleStreams + 100),
  });
  let postgresPort = 0;
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the API exited (${code}) before it listened`)));
    // Keep reading: the API logs a line per request, and a full pipe would stall it.
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      const entry = JSON.parse(line) as { level: number; msg?: string; url?: string; port?: number };
      if (entry.level >= 50) process.stderr.write(`${line}\n`);
      if (entry.msg === 'embedded PostgreSQL started') postgresPort = entry.port ?? 0;
      if (entry.msg === 'astromesh api listening' && entry.url) resolve(entry.url);
    });
  });
  const password = readFileSync(join(stateDir, 'secrets', 'postgres-password'), 'utf8').trim();
  return {
    url,
    pid: child.pid as number,
    databaseUrl: `postgres://postgres:${password}@127.0.0.1:${postgresPort}/astromesh`,
  };
}

/** Signs in, creates agent `bench` on the fake OpenAI, stores the key, deploys it. */
async function deployBenchAgent(apiUrl: string, fakeUrl: string) {
  const login = (await (
    await fetch(`${apiUrl}/api/v1/auth/dev/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'bench@example.com' }),
    })
  ).json()) as { access_token: string; org_slug: string };
  const call = async (path: string, body?: unknown) => {
    const response = await fetch(`${apiUrl}/api/v1/orgs/${login.org_slug}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${login.access_token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    if (!response.ok) throw new Error(`POST ${path} answered ${response.status}: ${await response.text()}`);
  };
  await call('/agents', {
    name: 'bench',
    step1: { model: 'openai/gpt-4o-mini' },
    step2: { system_prompt: 'You are a benchmark agent.' },
  });
  await call('/providers', { provider: 'openai', api_key: 'sk-bench', base_url: fakeUrl });
  await call('/agents/bench/deploy');
  return { slug: login.org_slug, token: login.access_token };
}

/** astromeshd on the files the API's local backend wrote for the org, with the same memory schema. */
async function startDirectRuntime(input: { orgDir: string; orgSlug: string; memoryUrl: string }): Promise<string> {
  const child = spawnChild(
    [
      ...profileArgs,
      join(repoRoot, 'runtime', 'main.ts'),
      '--agents-dir',
      join(input.orgDir, 'agents'),
      '--credentials',
      join(input.orgDir, 'credentials.yaml'),
      '--auth-token-file',
      join(input.orgDir, 'runtime-token'),
      '--memory',
      input.memoryUrl,
      '--memory-schema',
      `org_${input.orgSlug.replaceAll('-', '_')}`,
      '--port',
      '0',
    ],
    { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
  );
  const port = await new Promise<number>((resolve) => {
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; port?: number };
      if (entry.msg === 'astromeshd listening' && entry.port) resolve(entry.port);
    });
  });
  return `http://127.0.0.1:${port}`;
}

async function linesOf(child: ChildProcess, count: number): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({ input: child.stdout as NodeJS.ReadableStream })) {
    lines.push(line);
    if (lines.length === count) break;
  }
  return lines;
}

/** POSTs `body` (a run's query unless given) and returns the answer's text; throws unless 2xx. */
async function post(
  url: string,
  headers: Record<string, string>,
  body: unknown = { query: 'Say something.' },
): Promise<string> {
  const response = await undiciFetch(url, {
    dispatcher,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${text}`);
  return text;
}

async function get(url: string, headers: Record<string, string>): Promise<string> {
  const response = await undiciFetch(url, { dispatcher, headers });
  const text = await response.text();
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${text}`);
  return text;
}

/**
 * Transactions committed in the database per run (each statement outside BEGIN is one), from
 * pg_stat_database. Backends report their counts when idle, at most once a second, and when they
 * exit, so each reading waits until the pools' idle connections have closed (10 s).
 */
async function transactionsPerRunOf(databaseUrl: string, call: () => Promise<unknown>, runs: number): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const committed = async () => {
    await new Promise((resolve) => setTimeout(resolve, 12_000));
    const { rows } = await client.query<{ xact_commit: string }>(
      'SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()',
    );
    return Number(rows[0]?.xact_commit);
  };
  try {
    const before = await committed();
    await measureLoad(call, 16, runs);
    // This client's own two readings are transactions too.
    return ((await committed()) - before - 1) / runs;
  } finally {
    await client.end();
  }
}

function percentiles(values: number[]): { p50: number; p99: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
  return { p50: at(0.5), p99: at(0.99) };
}

/** On one open socket, one query at a time: from sending the query to its first token. */
async function timeToFirstToken(url: string, queries: number): Promise<{ p50: number; p99: number }> {
  const ws = await openSocket(url);
  const latencies: number[] = [];
  try {
    for (let i = 0; i < queries; i++) {
      latencies.push(await firstTokenOf(ws));
    }
  } finally {
    ws.close();
  }
  return percentiles(latencies);
}

function firstTokenOf(ws: WebSocket): Promise<number> {
  return new Promise((resolve, reject) => {
    const sentAt = performance.now();
    let firstTokenMs: number | undefined;
    const onMessage = (data: WebSocket.RawData) => {
      const event = JSON.parse(data.toString()) as { type: string; message?: string };
      if (event.type === 'token' && firstTokenMs === undefined) firstTokenMs = performance.now() - sentAt;
      if (event.type === 'error') reject(new Error(`stream error: ${event.message}`));
      if (event.type === 'done' || event.type === 'error') {
        ws.off('message', onMessage);
        if (firstTokenMs === undefined) reject(new Error('the stream finished without a token'));
        else resolve(firstTokenMs);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ query: 'Say something.' }));
  });
}

function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
    ws.once('unexpected-response', (_request, response) =>
      reject(new Error(`upgrade refused: ${response.statusCode}`)),
    );
  });
}

/** RSS of the API before and while `idleStreams` streams are open and idle. */
async function rssWithIdleStreams(pid: number, url: string) {
  const beforeMb = rssMbOf(pid);
  const sockets: WebSocket[] = [];
  for (let i = 0; i < idleStreams; i++) sockets.push(await openSocket(url));
  // A ping round trip on every socket: each stream is set up and answering when RSS is read.
  await Promise.all(
    sockets.map(
      (ws) =>
        new Promise((resolve) => {
          ws.once('pong', resolve);
          ws.ping();
        }),
    ),
  );
  const withStreamsMb = rssMbOf(pid);
  for (const ws of sockets) ws.close();
  return { beforeMb, withStreamsMb };
}

function rssMbOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? Number.NaN) / 1024;
}

function print(results: {
  runs: { concurrency: number; direct: LoadStats; api: LoadStats }[];
  integrations: { concurrency: number; run: LoadStats; chat: LoadStats; background: LoadStats }[];
  firstToken: { direct: { p50: number; p99: number }; api: { p50: number; p99: number } };
  transactionsPerRun: { direct: number; api: number };
  memory: { beforeMb: number; withStreamsMb: number; afterRunsMb: number };
}): void {
  const ms = (value: number) => `${value.toFixed(2)} ms`;
  const lines = ['Cloud API overhead (API → org runtime → fake OpenAI, vs org runtime → fake OpenAI)', ''];
  for (const { concurrency, direct, api } of results.runs) {
    lines.push(
      `run, concurrency ${concurrency}:`,
      `  runtime  p50 ${ms(direct.p50)}  p99 ${ms(direct.p99)}  ${direct.runsPerSecond.toFixed(0)} runs/s`,
      `  api      p50 ${ms(api.p50)}  p99 ${ms(api.p99)}  ${api.runsPerSecond.toFixed(0)} runs/s`,
      `  added    p50 ${ms(api.p50 - direct.p50)}  p99 ${ms(api.p99 - direct.p99)}`,
    );
  }
  for (const { concurrency, run, chat, background } of results.integrations) {
    lines.push(
      `issue 16 ways in, concurrency ${concurrency}:`,
      `  …/run (baseline)          p50 ${ms(run.p50)}  p99 ${ms(run.p99)}  ${run.runsPerSecond.toFixed(0)} runs/s`,
      `  chat completion           p50 ${ms(chat.p50)}  p99 ${ms(chat.p99)}  ${chat.runsPerSecond.toFixed(0)} runs/s`,
      `  background run + events   p50 ${ms(background.p50)}  p99 ${ms(background.p99)}  ${background.runsPerSecond.toFixed(0)} runs/s`,
    );
  }
  const { direct, api } = results.firstToken;
  lines.push(
    'WebSocket time to first token (open socket, one query at a time):',
    `  runtime  p50 ${ms(direct.p50)}  p99 ${ms(direct.p99)}`,
    `  api      p50 ${ms(api.p50)}  p99 ${ms(api.p99)}`,
    `  added    p50 ${ms(api.p50 - direct.p50)}  p99 ${ms(api.p99 - direct.p99)}`,
    `PostgreSQL transactions per run: runtime ${results.transactionsPerRun.direct.toFixed(2)}, ` +
      `api ${results.transactionsPerRun.api.toFixed(2)} (API and its org runtime together)`,
    '',
    `RSS of the API (node ${apiNodeFlags.join(' ') || 'without flags'}, compile cache): ` +
      `${results.memory.beforeMb.toFixed(1)} MiB idle after warm-up, ` +
      `${results.memory.withStreamsMb.toFixed(1)} MiB with ${idleStreams} idle WebSocket streams open ` +
      `(${(((results.memory.withStreamsMb - results.memory.beforeMb) * 1024) / idleStreams).toFixed(1)} KiB per stream), ` +
      `${results.memory.afterRunsMb.toFixed(1)} MiB after all the runs above`,
  );
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();

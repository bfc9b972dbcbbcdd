// npm run bench: how fast the operator brings a cluster full of orgs to its desired state from a
// cold start, and what memory that takes.
//
// Processes: this load generator, a private etcd + kube-apiserver (no kubelet, so runtime pods
// never run and Deploying is as far as an agent gets), and the operator started as production
// starts it (`node` with the chart's flags, `operator/main.ts`), as an admin, with leader election off and default workers.
// The orgs and their CloudAgents exist before the operator starts; the clock runs from its spawn
// until every CloudAgent shows phase Deploying for generation 1. Prints numbers, asserts nothing.
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type RequestOptions, request } from 'node:https';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as delay } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { type CloudAgentStatus, runtimeFinalizer } from '../../crds/cloud-agent.ts';
import { createKubeClient, type KubeClient } from '../../operator/kube/kube-client.ts';
import { objectPath } from '../../operator/kube/object-path.ts';
import type { CloudAgent } from '../../operator/reconcile/cloud-agent-status.ts';
import { aCloudAgent } from '../support/a-cloud-agent.ts';
import { applyCrds } from '../support/apply-crds.ts';
import { mapConcurrently } from '../support/map-concurrently.ts';
import { createOrgNamespace } from '../support/org-namespace.ts';
import { type RunningControlPlane, startKubeControlPlane, stopProcess } from '../support/start-kube-control-plane.ts';

const repoRoot = join(import.meta.dirname, '..', '..');
const orgCount = 200;
const agentsPerOrg = 5;
const setupConcurrency = 16;
const pollIntervalMs = 500;
const giveUpAfterMs = 10 * 60_000;
const listeningTimeoutMs = 60_000;
/** The Node flags the Helm chart starts the operator with: `command: ["node", …flags, "operator/main.ts"]`. */
const chartNodeFlags = (() => {
  const template = readFileSync(join(repoRoot, 'charts/astromesh-cloud/templates/operator-deployment.yaml'), 'utf8');
  const command = /command: (\[.*"operator\/main\.ts"\])/.exec(template)?.[1];
  if (!command) throw new Error("the chart's operator Deployment has no command naming operator/main.ts");
  return (JSON.parse(command) as string[]).slice(1, -1);
})();
/**
 * More Node flags for the operator, e.g. `OPERATOR_NODE_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof'`
 * (Node refuses profiling flags in NODE_OPTIONS, which would reach every process anyway).
 */
const operatorNodeFlags = (process.env.OPERATOR_NODE_FLAGS ?? '').split(/\s+/).filter(Boolean);
/** Extra operator arguments for experiments, e.g. `OPERATOR_ARGS='--workers 16'` (the table says default --workers). */
const operatorArgs = (process.env.OPERATOR_ARGS ?? '').split(/\s+/).filter(Boolean);
/** pino's number for `warn`. */
const warnLevel = 40;

interface Sample {
  atMs: number;
  deploying: number;
  rssBytes: number;
}

async function main(): Promise<void> {
  let controlPlane: RunningControlPlane | undefined;
  let operator: ChildProcess | undefined;
  let admin: KubeClient | undefined;
  try {
    controlPlane = await startKubeControlPlane();
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(controlPlane.kubeconfigPath);
    admin = createKubeClient(kubeConfig);
    await applyCrds(kubeConfig);
    const setupStartedAt = performance.now();
    await createOrgsWithAgents(kubeConfig, admin);
    const setupMs = performance.now() - setupStartedAt;

    const requestsBefore = await apiserverRequests(kubeConfig);
    const startedAt = performance.now();
    operator = spawn(
      process.execPath,
      [
        ...chartNodeFlags,
        ...operatorNodeFlags,
        join(repoRoot, 'operator', 'main.ts'),
        '--kubeconfig',
        controlPlane.kubeconfigPath,
        '--runtime-image',
        'astromesh:bench',
        '--leader-elect',
        'false',
        '--port',
        '0',
        // 'operator listening' (the port) is an info line; info adds no line per reconcile.
        '--log-level',
        'info',
        ...operatorArgs,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const killOnExit = () => operator?.kill('SIGKILL');
    process.once('exit', killOnExit);
    const { port, warnings } = await listeningPort(operator);
    const listeningMs = performance.now() - startedAt;
    const metricsUrl = `http://127.0.0.1:${port}/metrics`;
    const pid = operator.pid as number;
    const listeningRssBytes = rssBytesOf(pid);

    const samples: Sample[] = [];
    for (;;) {
      const deploying = await countDeploying(admin);
      const atMs = performance.now() - startedAt;
      if (operator.exitCode !== null || operator.signalCode !== null) {
        throw new Error(`the operator exited (code ${operator.exitCode}, signal ${operator.signalCode})`);
      }
      samples.push({ atMs, deploying, rssBytes: rssBytesOf(pid) });
      if (deploying === orgCount * agentsPerOrg) break;
      if (atMs > giveUpAfterMs) throw new Error(`only ${deploying} CloudAgents Deploying after ${atMs.toFixed(0)} ms`);
      await delay(pollIntervalMs);
    }
    const done = samples.at(-1) as Sample;
    const metrics = await scrape(metricsUrl);
    const peakRssBytes = peakRssBytesOf(pid);
    const requests = difference(await apiserverRequests(kubeConfig), requestsBefore);
    // The bench's own polls: one list of every CloudAgent per sample.
    requests['LIST cloudagents'] = (requests['LIST cloudagents'] ?? 0) - samples.length;

    print({
      setupMs,
      listeningMs,
      listeningRssBytes,
      samples,
      done,
      reconciles: metrics.reconciles,
      reconcilesByResult: metrics.reconcilesByResult,
      metricsRssBytes: metrics.rssBytes,
      heapUsedBytes: metrics.heapUsedBytes,
      heapTotalBytes: metrics.heapTotalBytes,
      externalBytes: metrics.externalBytes,
      peakRssBytes,
      warnings: warnings.length,
      requests,
    });
    for (const line of warnings.slice(0, 5)) process.stderr.write(`operator: ${line}\n`);
    process.off('exit', killOnExit);
  } finally {
    if (operator) await stopProcess(operator);
    admin?.close();
    await controlPlane?.stop();
  }
}

/**
 * 200 org namespaces with their Secrets and 5 CloudAgents each, as the Cloud API writes them:
 * with the operator's finalizer already on (buildCloudAgent).
 */
async function createOrgsWithAgents(kubeConfig: KubeConfig, admin: KubeClient): Promise<void> {
  const orgs = await mapConcurrently(
    Array.from({ length: orgCount }, (_, index) => `bench-${String(index).padStart(3, '0')}`),
    setupConcurrency,
    (orgSlug) => createOrgNamespace(kubeConfig, { orgSlug }),
  );
  const agents = orgs.flatMap(({ namespace, orgSlug }) =>
    Array.from({ length: agentsPerOrg }, (_, index) => {
      const agent = aCloudAgent({ namespace, org: orgSlug, name: `agent-${index}` });
      return { ...agent, metadata: { ...agent.metadata, finalizers: [runtimeFinalizer] } };
    }),
  );
  await mapConcurrently(agents, setupConcurrency, (agent) =>
    admin.call({
      method: 'POST',
      path: objectPath({ apiVersion: agent.apiVersion, kind: agent.kind, namespace: agent.metadata.namespace }),
      body: agent,
    }),
  );
}

/** Reads the operator's JSON log lines until it says where it listens; keeps those at warn or above. */
function listeningPort(child: ChildProcess): Promise<{ port: number; warnings: string[] }> {
  const warnings: string[] = [];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no 'operator listening' log line within ${listeningTimeoutMs} ms`)),
      listeningTimeoutMs,
    );
    child.once('exit', (code, signal) => reject(new Error(`the operator exited (code ${code}, signal ${signal})`)));
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      let entry: { level?: number; msg?: string; port?: number } = {};
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        // Not a log line: kept with the warnings, so nothing the operator says is lost.
      }
      if (entry.msg === 'operator listening' && entry.port) {
        clearTimeout(timer);
        resolve({ port: entry.port, warnings });
      } else if ((entry.level ?? warnLevel) >= warnLevel) warnings.push(line);
    });
  });
}

/** CloudAgents (all namespaces) in phase Deploying for generation 1, from one list. */
async function countDeploying(admin: KubeClient): Promise<number> {
  const list = await admin.call<{ items: CloudAgent[] }>({
    method: 'GET',
    path: '/apis/astromesh.io/v1alpha1/cloudagents',
  });
  return list.items.filter((agent) => {
    const status = agent.status as CloudAgentStatus | undefined;
    return status?.phase === 'Deploying' && status.observedGeneration === 1;
  }).length;
}

/**
 * The API server's request counts (`apiserver_request_total`) by verb and resource: what the
 * operator asked of the server that shares its cores, read before and after the cold start.
 */
const secondsSuffix = ' seconds';

async function apiserverRequests(kubeConfig: KubeConfig): Promise<Record<string, number>> {
  const server = new URL(kubeConfig.getCurrentCluster()?.server ?? '');
  const options: RequestOptions = { hostname: server.hostname, port: server.port, path: '/metrics', headers: {} };
  await kubeConfig.applyToHTTPSOptions(options);
  const text = await new Promise<string>((resolve, reject) => {
    request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
  const counts: Record<string, number> = {};
  const samples = /^apiserver_request_(total|duration_seconds_sum)\{([^}]*)\} (\S+)$/gm;
  for (const [, metric, labels = '', value] of text.matchAll(samples)) {
    const label = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(labels)?.[1] ?? '';
    const subresource = label('subresource');
    const key = `${label('verb')} ${label('resource')}${subresource ? `/${subresource}` : ''}`;
    // The seconds the server spent on them (WATCH: how long watches stayed open, not work).
    const counted = metric === 'total' ? key : `${key}${secondsSuffix}`;
    counts[counted] = (counts[counted] ?? 0) + Number(value);
  }
  return counts;
}

function difference(after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [key, count] of Object.entries(after)) {
    const added = count - (before[key] ?? 0);
    if (added > 0) result[key] = added;
  }
  return result;
}

async function scrape(url: string) {
  const text = await (await fetch(url)).text();
  const reconcilesByResult: Record<string, number> = {};
  let reconciles = 0;
  let rssBytes = Number.NaN;
  let heapUsedBytes = Number.NaN;
  let heapTotalBytes = Number.NaN;
  let externalBytes = Number.NaN;
  for (const line of text.split('\n')) {
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!sample) continue;
    const [, name, labels = '', value] = sample;
    if (name === 'process_resident_memory_bytes') rssBytes = Number(value);
    if (name === 'nodejs_heap_size_used_bytes') heapUsedBytes = Number(value);
    if (name === 'nodejs_heap_size_total_bytes') heapTotalBytes = Number(value);
    if (name === 'nodejs_external_memory_bytes') externalBytes = Number(value);
    if (name === 'astromesh_operator_reconciles_total') {
      reconciles += Number(value);
      const result = /result="([^"]*)"/.exec(labels)?.[1] ?? 'all';
      reconcilesByResult[result] = (reconcilesByResult[result] ?? 0) + Number(value);
    }
  }
  return { reconciles, reconcilesByResult, rssBytes, heapUsedBytes, heapTotalBytes, externalBytes };
}

function rssBytesOf(pid: number): number {
  return kibibytesIn(pid, 'VmRSS') * 1024;
}

/** The kernel's high-water mark of the process's resident set: a peak no sampling can miss. */
function peakRssBytesOf(pid: number): number {
  return kibibytesIn(pid, 'VmHWM') * 1024;
}

function kibibytesIn(pid: number, field: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
}

function print(result: {
  setupMs: number;
  listeningMs: number;
  listeningRssBytes: number;
  samples: Sample[];
  done: Sample;
  reconciles: number;
  reconcilesByResult: Record<string, number>;
  metricsRssBytes: number;
  heapUsedBytes: number;
  heapTotalBytes: number;
  externalBytes: number;
  peakRssBytes: number;
  warnings: number;
  requests: Record<string, number>;
}): void {
  const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const total = orgCount * agentsPerOrg;
  const firstDeploying = result.samples.find((sample) => sample.deploying > 0);
  const halfway = result.samples.find((sample) => sample.deploying >= total / 2);
  const sampledPeak = Math.max(...result.samples.map((sample) => sample.rssBytes));
  const byResult = Object.entries(result.reconcilesByResult)
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');
  const row = (label: string, value: string) => `  ${label.padEnd(30)} ${value}`;
  const counted = Object.entries(result.requests).filter(([key]) => !key.endsWith(secondsSuffix));
  const requestTotal = counted.reduce((sum, [, count]) => sum + Math.max(0, count), 0);
  const serverSeconds = (key: string) => (result.requests[`${key}${secondsSuffix}`] ?? 0).toFixed(1);
  const perSecond = (count: number) => (count / (result.done.atMs / 1000)).toFixed(1);
  const lines = [
    `astromesh-operator cold start: ${orgCount} org namespaces x ${agentsPerOrg} CloudAgents = ${total}; ${operatorArgs.join(' ') || 'default --workers'}; node ${[...chartNodeFlags, ...operatorNodeFlags].join(' ')}`,
    '',
    `setup before the operator (namespaces, Secrets, CloudAgents): ${seconds(result.setupMs)}`,
    "from the operator's spawn:",
    row("'operator listening'", seconds(result.listeningMs)),
    row('first CloudAgent Deploying', firstDeploying ? seconds(firstDeploying.atMs) : 'n/a'),
    row('half of them Deploying', halfway ? seconds(halfway.atMs) : 'n/a'),
    row(`all ${total} Deploying (gen 1)`, `${seconds(result.done.atMs)}  (polled every ${pollIntervalMs} ms)`),
    `reconciles by then: ${result.reconciles} (${byResult || 'none'}), ${perSecond(result.reconciles)}/s; ` +
      `${perSecond(total)} CloudAgents/s`,
    'operator RSS:',
    row('when listening (caches empty)', mib(result.listeningRssBytes)),
    row('when all are Deploying', `${mib(result.done.rssBytes)} (/proc), ${mib(result.metricsRssBytes)} (/metrics)`),
    row(
      '  of which V8 and buffers',
      `JS heap used ${mib(result.heapUsedBytes)} of ${mib(result.heapTotalBytes)} reserved, external ${mib(result.externalBytes)}`,
    ),
    row('peak', `${mib(result.peakRssBytes)} (VmHWM), ${mib(sampledPeak)} (highest sample)`),
    `operator log lines at warn or above: ${result.warnings}`,
    `API server requests by then (the bench's polls left out): ${requestTotal} = ${(requestTotal / orgCount).toFixed(1)} per org`,
    ...counted
      .filter(([, count]) => count > 0)
      .sort(([, a], [, b]) => b - a)
      .map(([key, count]) =>
        row(`  ${key}`, `${count} (${(count / orgCount).toFixed(2)} per org), ${serverSeconds(key)} s in the server`),
      ),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

await main();

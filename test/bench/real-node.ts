// npm run bench: the product as an admin installs it, on the real test node (real containers
// under containerd + runc, test/node/start-real-node.ts), with the images `npm run image` built
// (already present: they are imported before anything is timed). Measures:
//   - the node's start, the images' import, `helm install --wait`;
//   - deploy → Ready: the API's deploy call until it answers (the operator saw the runtime Ready),
//     for an org's first agent (a runtime pod from zero) and for a second agent (a rolled pod);
//   - runtime pod start → Ready: from the first sight of the org's new pod to its Ready condition;
//   - idle memory of a runtime pod and of the API and operator pods, from their cgroups
//     (memory.usage_in_bytes less inactive file cache: the working set, as the kubelet counts it);
//   - a sleeping org's wake (issue 13, goal: cold wake to first answer ≤ 1.5 s): `helm upgrade`
//     sets api.orgIdleSeconds to a few seconds, then a fresh org, whose agent answers from a fake
//     OpenAI in this process, is woken again and again (test/bench/measure-real-node-wake.ts).
// `--wake`: the install and the wake only. Prints numbers, asserts nothing.

import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { AppsV1Api, CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { orgNamespaceOf } from '../../crds/org-runtime-names.ts';
import { locateTestBinaries } from '../binaries/locate-test-binaries.ts';
import { locateImages } from '../image/locate-images.ts';
import { type RealNode, startRealNode } from '../node/start-real-node.ts';
import { attachRealNode, provideRealNode } from '../real-node/attach-real-node.ts';
import { installAstromesh, release } from '../real-node/install-astromesh.ts';
import { startFakeProviderForPods } from '../real-node/org-users.ts';
import { serveOnLoopback } from '../real-node/serve-on-loopback.ts';
import { devLogin } from '../support/dev-login.ts';
import { chartDir, runHelm } from '../support/helm-chart.ts';
import { isPodReady } from '../support/is-pod-ready.ts';
import { describeWakeSteps, measureRealNodeWake } from './measure-real-node-wake.ts';
import { reportWakeLatency } from './report-wake-latency.ts';

const run = promisify(execFile);
const orgCount = 4;
const idleSeconds = 30;
// Short, so that the bench's org sleeps again within seconds of each wake.
const orgIdleSeconds = 5;
const wakes = 6;

async function main(): Promise<void> {
  const images = locateImages();
  const timings: [string, number][] = [];
  const time = async <T>(label: string, step: () => Promise<T>): Promise<T> => {
    const startedAt = performance.now();
    const result = await step();
    timings.push([label, performance.now() - startedAt]);
    return result;
  };
  const onlyWake = process.argv.includes('--wake');
  const print = (line: string) => process.stdout.write(`${line}\n`);
  const node = await time('node start (startRealNode)', () =>
    startRealNode({ log: () => {}, extraAddresses: [release.providerAddress] }),
  );
  try {
    await time('image import (product + postgres)', () =>
      node.importImages([images.product.archive, images.postgres.archive]),
    );
    await time('helm install --wait', () =>
      installAstromesh({
        kubeconfigPath: node.kubeconfigPath,
        exec: (command) => node.exec(command),
        images: { product: images.product.reference, postgres: images.postgres.reference },
      }),
    );
    print('Real node (containerd + runc, 2 cores), images already built:');
    for (const [label, ms] of timings) print(`  ${label.padEnd(40)} ${(ms / 1000).toFixed(1)} s`);
    const api = await serveOnLoopback(node, 0);
    try {
      if (!onlyWake) await benchDeploysAndMemory({ node, apiUrl: api.url, print });
      await benchWakes({ node, apiUrl: api.url, images, print });
    } finally {
      await api.close();
    }
  } finally {
    await node.stop();
  }
}

async function benchDeploysAndMemory(params: {
  node: RealNode;
  apiUrl: string;
  print: (line: string) => void;
}): Promise<void> {
  const { node, apiUrl, print } = params;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(node.kubeconfigPath);
  const core = kubeConfig.makeApiClient(CoreV1Api);

  const firstDeploys: number[] = [];
  const addedDeploys: number[] = [];
  const podStarts: number[] = [];
  for (let index = 0; index < orgCount; index++) {
    const user = await devLogin(apiUrl);
    const as = (path: string, body?: unknown) =>
      fetch(`${apiUrl}/api/v1/orgs/${user.org}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }).then(async (response) => {
        if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
      });
    await as('/providers', { provider: 'openai', api_key: 'sk-bench', base_url: 'http://10.250.0.10:9/v1' });
    for (const name of ['agent-1', 'agent-2']) {
      await as('/agents', { name, step1: { model: 'openai/gpt-4o-mini' } });
      const watch = watchPodStarts(core, orgNamespaceOf(user.org));
      const startedAt = performance.now();
      await as(`/agents/${name}/deploy`);
      (name === 'agent-1' ? firstDeploys : addedDeploys).push(performance.now() - startedAt);
      podStarts.push(...(await watch.stop()));
    }
  }

  await new Promise((resolve) => setTimeout(resolve, idleSeconds * 1000));
  const kubectl = locateTestBinaries().kubectl;
  const memoryOf = async (namespace: string, labelSelector?: string) => {
    const pods = await core.listNamespacedPod({ namespace, ...(labelSelector ? { labelSelector } : {}) });
    const pod = pods.items.find((candidate) => candidate.status?.phase === 'Running');
    const { stdout } = await run(
      kubectl,
      ['exec', '-n', namespace, pod?.metadata?.name ?? '', '--', 'node', '-e', workingSetScript],
      { env: { ...process.env, KUBECONFIG: node.kubeconfigPath } },
    );
    return JSON.parse(stdout) as { usage: number; workingSet: number };
  };
  const anyOrg = (await core.listNamespace({ labelSelector: 'astromesh.io/org' })).items[0]?.metadata?.name ?? '';
  const memory: [string, { usage: number; workingSet: number }][] = [
    ['runtime pod (2 agents)', await memoryOf(anyOrg)],
    ['API pod', await memoryOf(release.namespace, 'app.kubernetes.io/component=api')],
    ['operator pod', await memoryOf(release.namespace, 'app.kubernetes.io/component=operator')],
  ];

  print(`Deploy → Ready through the API (${orgCount} orgs):`);
  print(`  first agent of an org (pod from zero)   ${summary(firstDeploys)}`);
  print(`  second agent (the runtime pod rolls)     ${summary(addedDeploys)}`);
  print(`  runtime pod first seen → Ready          ${summary(podStarts)}`);
  print(`Idle memory after ${idleSeconds} s (cgroup working set / usage):`);
  for (const [label, { usage, workingSet }] of memory) {
    print(`  ${label.padEnd(40)} ${mib(workingSet)} / ${mib(usage)}`);
  }
}

/**
 * The wake section: `helm upgrade` to a short api.orgIdleSeconds (as an admin would change it),
 * a fake OpenAI in this process that pods reach, then measureRealNodeWake on a fresh org.
 */
async function benchWakes(params: {
  node: RealNode;
  apiUrl: string;
  images: ReturnType<typeof locateImages>;
  print: (line: string) => void;
}): Promise<void> {
  const { node, apiUrl, images, print } = params;
  await runHelm(
    [
      'upgrade',
      release.name,
      chartDir,
      '--namespace',
      release.namespace,
      '--reuse-values',
      '--set',
      `api.orgIdleSeconds=${orgIdleSeconds}`,
      '--wait',
      '--timeout',
      '6m',
    ],
    { kubeconfigPath: node.kubeconfigPath },
  );
  provideRealNode({
    kubeconfigPath: node.kubeconfigPath,
    runDir: node.runDir,
    pid: node.initPid,
    apiUrl,
    images: { product: images.product.reference, postgres: images.postgres.reference },
    logTail: (component, lines) => node.logTail(component, lines),
  });
  const provider = await startFakeProviderForPods(attachRealNode());
  try {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(node.kubeconfigPath);
    const measured = await measureRealNodeWake({
      apiUrl,
      providerBaseUrl: provider.baseUrl,
      core: kubeConfig.makeApiClient(CoreV1Api),
      apps: kubeConfig.makeApiClient(AppsV1Api),
      wakes,
      bursts: 3,
      concurrentDuringWake: 10,
    });
    reportWakeLatency(
      `real node (chart install, runtime pods under containerd + runc, idle ${orgIdleSeconds} s)`,
      measured,
    );
    for (const line of describeWakeSteps(measured.steps)) print(line);
  } finally {
    await provider.close();
  }
}

// Inside the container: cgroup v1 memory accounting of the container's own cgroup.
const workingSetScript = `
const fs = require('node:fs');
const usage = Number(fs.readFileSync('/sys/fs/cgroup/memory/memory.usage_in_bytes', 'utf8'));
const stat = fs.readFileSync('/sys/fs/cgroup/memory/memory.stat', 'utf8');
const inactiveFile = Number(/^total_inactive_file (\\d+)$/m.exec(stat)?.[1] ?? 0);
console.log(JSON.stringify({ usage, workingSet: Math.max(0, usage - inactiveFile) }));
`;

/** Polls the namespace's pods every 100 ms; stop() gives, for each new pod, first sight → Ready in ms. */
function watchPodStarts(core: CoreV1Api, namespace: string): { stop(): Promise<number[]> } {
  const known = new Set<string>();
  const firstSeen = new Map<string, number>();
  const readyAt = new Map<string, number>();
  let polling = true;
  const loop = (async () => {
    const before = await core.listNamespacedPod({ namespace }).catch(() => ({ items: [] as V1Pod[] }));
    for (const pod of before.items) known.add(pod.metadata?.uid ?? '');
    while (polling) {
      const pods = await core.listNamespacedPod({ namespace }).catch(() => ({ items: [] as V1Pod[] }));
      const now = performance.now();
      for (const pod of pods.items) {
        const uid = pod.metadata?.uid ?? '';
        if (known.has(uid)) continue;
        if (!firstSeen.has(uid)) firstSeen.set(uid, now);
        if (isPodReady(pod) && !readyAt.has(uid)) readyAt.set(uid, now);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  return {
    async stop() {
      polling = false;
      await loop;
      return [...readyAt].map(([uid, at]) => at - (firstSeen.get(uid) ?? at));
    },
  };
}

function summary(values: number[]): string {
  if (values.length === 0) return 'n/a';
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  return `median ${(median / 1000).toFixed(2)} s, min ${((sorted[0] ?? 0) / 1000).toFixed(2)} s, max ${((sorted.at(-1) ?? 0) / 1000).toFixed(2)} s (n=${values.length})`;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(0)} MiB`;
}

main().catch((err: unknown) => {
  process.stderr.write(
    `real-node benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exitCode = 1;
});

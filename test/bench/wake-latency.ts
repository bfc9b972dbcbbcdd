// npm run bench: how long the first call to a sleeping org waits (issue 13: orgs that sleep cost
// nothing; goal: cold wake to first answer ≤ 1.5 s), from the run's POST until its answer.
//
// Local: the Cloud API in this process on the local backend (orgs sleep after 1 s), its own
// PostgreSQL, a fake OpenAI provider in this process; a wake starts the org's astromeshd process.
// Test cluster: the Kubernetes stack of the end-to-end tests (kube-apiserver, etcd, controller
// manager, the operator as its own process, a fake kubelet that runs each runtime pod as
// `node runtime/main.ts`), an API whose orgs sleep after 2 s; a wake scales the runtime Deployment
// from 0 to 1 and waits for its ready endpoint. Each wake waits until the org sleeps again first.
// Also: a warm run (the org awake), and the slowest of 10 concurrent runs sent during one wake.
// Prints numbers, asserts nothing.
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { orgNamespaceOf, runtimeName } from '../../crds/org-runtime-names.ts';
import type { FakeProvider } from '../fakes/fake-provider.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import { eventually } from '../support/eventually.ts';
import { orgRuntimePids } from '../support/org-runtime-pids.ts';
import { post } from '../support/post.ts';
import { type RunningPostgres, startEmbeddedPostgres } from '../support/start-embedded-postgres.ts';
import { type KubernetesStack, startKubernetesStack } from '../support/start-kubernetes-stack.ts';
import { type SignedIn, startTestApi, type TestApi } from '../support/start-test-api.ts';
import { reportWakeLatency, type WakeLatencies } from './report-wake-latency.ts';

const wakes = 8;
const concurrentDuringWake = 10;
const sleepTimeoutMs = 120_000;

async function main(): Promise<void> {
  const onlyLocal = process.argv.includes('--local');
  let postgres: RunningPostgres | undefined;
  let fake: FakeProvider | undefined;
  let localApi: TestApi | undefined;
  let stack: KubernetesStack | undefined;
  let clusterApi: TestApi | undefined;
  try {
    postgres = await startEmbeddedPostgres();
    fake = await startFakeProvider('openai');
    localApi = await startTestApi({ adminDatabaseUrl: postgres.adminUrl, env: { ASTROMESH_ORG_IDLE_SECONDS: '1' } });
    const api = localApi;
    const local = await measure(api, fake, (org) => orgRuntimePids({ stateDir: api.stateDir, org }).length === 0);
    await localApi.stop();
    localApi = undefined;
    reportWakeLatency('local backend (astromeshd process per org, idle 1 s)', local);
    if (onlyLocal) return;

    stack = await startKubernetesStack({ adminDatabaseUrl: postgres.adminUrl, deployTimeoutMs: 120_000 });
    clusterApi = await stack.startApi({ env: { ASTROMESH_ORG_IDLE_SECONDS: '2' } });
    const admin = stack.admin;
    const cluster = await measure(clusterApi, fake, async (org) => {
      const namespace = orgNamespaceOf(org);
      const deployment = await admin
        .makeApiClient(AppsV1Api)
        .readNamespacedDeployment({ namespace, name: runtimeName });
      const pods = await admin.makeApiClient(CoreV1Api).listNamespacedPod({ namespace });
      return deployment.spec?.replicas === 0 && pods.items.length === 0;
    });
    reportWakeLatency('test cluster (operator, fake kubelet running node runtime/main.ts per pod, idle 2 s)', cluster);
  } finally {
    await clusterApi?.stop();
    await stack?.stop();
    await localApi?.stop();
    await fake?.close();
    await postgres?.stop();
  }
}

/** Deploys an org, then times `wakes` single wakes, warm runs, and bursts of concurrent runs during a wake. */
async function measure(api: TestApi, fake: FakeProvider, isAsleep: (org: string) => Promise<boolean> | boolean) {
  const user = await api.signIn();
  await expectOk(user.as('/providers', post({ provider: 'openai', api_key: 'sk-bench', base_url: fake.baseUrl })));
  await expectOk(user.as('/agents', post({ name: 'bench', step1: { model: 'openai/gpt-4o-mini' } })));
  await expectOk(user.as('/agents/bench/deploy', post()));
  const untilAsleep = () =>
    eventually(
      async () => {
        if (!(await isAsleep(user.org))) throw new Error(`org ${user.org} is still awake`);
      },
      { timeoutMs: sleepTimeoutMs, intervalMs: 50 },
    );
  const measured: WakeLatencies = { wakeMs: [], warmMs: [], concurrentMaxMs: [], concurrentDuringWake };
  for (let wake = 0; wake < wakes; wake++) {
    await untilAsleep();
    measured.wakeMs.push(await timedRun(user));
    measured.warmMs.push(await timedRun(user));
  }
  for (let burst = 0; burst < 3; burst++) {
    await untilAsleep();
    const times = await Promise.all(Array.from({ length: concurrentDuringWake }, () => timedRun(user)));
    measured.concurrentMaxMs.push(Math.max(...times));
  }
  return measured;
}

async function timedRun(user: SignedIn): Promise<number> {
  const startedAt = performance.now();
  await expectOk(user.as('/agents/bench/run', post({ query: 'Hello' })));
  return performance.now() - startedAt;
}

async function expectOk(pending: Promise<Response>): Promise<void> {
  const response = await pending;
  if (!response.ok) throw new Error(`${response.url} answered ${response.status}: ${await response.text()}`);
  await response.arrayBuffer();
}

await main();

import { setTimeout as delay } from 'node:timers/promises';
import type { AppsV1Api, CoreV1Api, V1Pod } from '@kubernetes/client-node';
import { orgLabel, orgNamespaceOf, runtimeName } from '../../crds/org-runtime-names.ts';
import { aDeployedOrg, type OrgUser, post } from '../real-node/org-users.ts';
import { eventually } from '../support/eventually.ts';
import { isPodReady } from '../support/is-pod-ready.ts';
import type { WakeLatencies } from './report-wake-latency.ts';

const sleepTimeoutMs = 180_000;
const pollIntervalMs = 50;

/** When each step of one wake was first seen, in ms after the run's POST (undefined: never seen). */
export interface WakeSteps {
  /** The operator set the runtime Deployment's replicas above 0 (it saw the API's wake mark). */
  scaledUpMs?: number;
  /** The ReplicaSet's new pod exists. */
  podCreatedMs?: number;
  /** The kubelet reports the pod Running: sandbox made, image present, container started. */
  podRunningMs?: number;
  /** astromeshd's own `astromeshd listening` log line (its clock is this machine's). */
  listeningMs?: number;
  /** The kubelet reports the pod Ready (its readiness probe passed). */
  podReadyMs?: number;
  /** The run's answer arrived. */
  answeredMs: number;
}

export interface RealNodeWakes extends WakeLatencies {
  steps: WakeSteps[];
}

/**
 * Times wakes of a sleeping org on the real node, through the installed API whose orgs sleep
 * after a few idle seconds: `wakes` single runs, each after the org is asleep again (its runtime
 * Deployment at 0 replicas, no pod left) followed by a warm run, then `bursts` bursts of
 * `concurrentDuringWake` runs sent together at a sleeping org, which must all answer 200. Each
 * single wake is broken down by polling the org's Deployment and pods every 50 ms.
 */
export async function measureRealNodeWake(params: {
  apiUrl: string;
  providerBaseUrl: string;
  core: CoreV1Api;
  apps: AppsV1Api;
  wakes: number;
  bursts: number;
  concurrentDuringWake: number;
}): Promise<RealNodeWakes> {
  const { core, apps, concurrentDuringWake } = params;
  const user = await aDeployedOrg(params.apiUrl, params.providerBaseUrl);
  const namespace = orgNamespaceOf(user.org);
  const isAsleep = async () => {
    const deployment = await apps.readNamespacedDeployment({ namespace, name: runtimeName });
    const pods = await core.listNamespacedPod({ namespace });
    return deployment.spec?.replicas === 0 && pods.items.length === 0;
  };
  // Every org of the run asleep first, so that no other org's scale-down weighs on a wake.
  const untilAllAsleep = () =>
    eventually(
      async () => {
        const pods = await core.listPodForAllNamespaces({ labelSelector: orgLabel });
        if (pods.items.length > 0 || !(await isAsleep())) throw new Error('an org runtime is still awake');
      },
      { timeoutMs: sleepTimeoutMs, intervalMs: 200 },
    );

  const measured: RealNodeWakes = { wakeMs: [], warmMs: [], concurrentMaxMs: [], concurrentDuringWake, steps: [] };
  for (let wake = 0; wake < params.wakes; wake++) {
    await untilAllAsleep();
    const steps = await timedWake({ user, core, apps, namespace });
    measured.steps.push(steps);
    measured.wakeMs.push(steps.answeredMs);
    measured.warmMs.push(await timedRun(user));
  }
  for (let burst = 0; burst < params.bursts; burst++) {
    await untilAllAsleep();
    const times = await Promise.all(Array.from({ length: concurrentDuringWake }, () => timedRun(user)));
    measured.concurrentMaxMs.push(Math.max(...times));
  }
  return measured;
}

async function timedWake(params: {
  user: OrgUser;
  core: CoreV1Api;
  apps: AppsV1Api;
  namespace: string;
}): Promise<WakeSteps> {
  const { core, apps, namespace } = params;
  const startedAtMs = Date.now();
  const seen: Omit<WakeSteps, 'answeredMs' | 'listeningMs'> = {};
  let pod: V1Pod | undefined;
  let answered = false;
  const since = () => Date.now() - startedAtMs;
  const watching = (async () => {
    while (!answered) {
      const [deployment, pods] = await Promise.all([
        apps.readNamespacedDeployment({ namespace, name: runtimeName }),
        core.listNamespacedPod({ namespace }),
      ]);
      if ((deployment.spec?.replicas ?? 0) > 0) seen.scaledUpMs ??= since();
      pod = pods.items[0] ?? pod;
      if (pods.items[0]) seen.podCreatedMs ??= since();
      if (pods.items[0]?.status?.phase === 'Running') seen.podRunningMs ??= since();
      if (pods.items[0] && isPodReady(pods.items[0])) seen.podReadyMs ??= since();
      await delay(pollIntervalMs);
    }
  })();
  const answeredMs = await timedRun(params.user);
  answered = true;
  await watching;
  const listeningAtMs = pod?.metadata?.name ? await listeningTime(core, namespace, pod.metadata.name) : undefined;
  return {
    ...seen,
    ...(listeningAtMs === undefined ? {} : { listeningMs: listeningAtMs - startedAtMs }),
    answeredMs,
  };
}

/** The epoch ms of astromeshd's `astromeshd listening` line (pino's `time`), from the pod's log. */
async function listeningTime(core: CoreV1Api, namespace: string, name: string): Promise<number | undefined> {
  const log = await core.readNamespacedPodLog({ namespace, name, container: 'astromeshd' }).catch(() => '');
  for (const line of log.split('\n')) {
    if (!line.includes('astromeshd listening')) continue;
    const time = (JSON.parse(line) as { time?: unknown }).time;
    if (typeof time === 'number') return time;
  }
  return undefined;
}

async function timedRun(user: OrgUser): Promise<number> {
  const startedAt = performance.now();
  const response = await user.as('/agents/support-bot/run', post({ query: 'Hello' }));
  if (!response.ok) throw new Error(`run answered ${response.status}: ${await response.text()}`);
  await response.arrayBuffer();
  return performance.now() - startedAt;
}

/** The median time of each step of the wakes and of the gap since the step before, a line each. */
export function describeWakeSteps(steps: WakeSteps[]): string[] {
  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    return sorted.length === 0 ? 'n/a' : `${(sorted[Math.floor(sorted.length / 2)] as number).toFixed(0)} ms`;
  };
  const picks: [string, (step: WakeSteps) => number | undefined][] = [
    ['runtime Deployment scaled up (operator)', (step) => step.scaledUpMs],
    ['runtime pod created (ReplicaSet)', (step) => step.podCreatedMs],
    ['pod Running (sandbox + container started)', (step) => step.podRunningMs],
    ['astromeshd listening (its own log)', (step) => step.listeningMs],
    ['pod Ready (readiness probe passed)', (step) => step.podReadyMs],
    ['answer (ready endpoint seen, run served)', (step) => step.answeredMs],
  ];
  const lines = [
    'A wake step by step (median ms after the run was sent, and since the step before; polled every 50 ms):',
  ];
  picks.forEach(([label, pick], index) => {
    const at = steps.map(pick).filter((value): value is number => value !== undefined);
    const previous = picks[index - 1]?.[1];
    const gaps = steps.flatMap((step) => {
      const here = pick(step);
      const before = previous ? previous(step) : 0;
      return here === undefined || before === undefined ? [] : [here - before];
    });
    lines.push(
      `  ${label.padEnd(44)} ${median(at).padStart(8)}  +${median(gaps).padStart(8)}  (seen in ${at.length} of ${steps.length})`,
    );
  });
  return lines;
}

import { CoordinationV1Api, type KubeConfig, V1MicroTime } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/eventually.ts';
import { createTestNamespace, testKubeConfig } from '../../test/support/test-kube.ts';
import { startLeaderElection } from './leader-election.ts';
import { aCapturingLogger } from './test-support/capturing-logger.ts';
import { startApiserverProxy } from './test-support/start-apiserver-proxy.ts';

const leaseName = 'astromesh-operator';
// Short, in client-go's proportions (lease > renew deadline > retry period), so tests take seconds.
const fast = { leaseDurationMs: 1_500, renewDeadlineMs: 1_000, retryPeriodMs: 200 };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function aCandidate(options: {
  identity: string;
  kubeConfig: KubeConfig;
  namespace: string;
  timeline?: string[];
  durations?: { leaseDurationMs: number; renewDeadlineMs: number; retryPeriodMs: number };
}) {
  const signals: AbortSignal[] = [];
  const timeline = options.timeline ?? [];
  const election = startLeaderElection({
    kubeConfig: options.kubeConfig,
    namespace: options.namespace,
    name: leaseName,
    identity: options.identity,
    ...(options.durations ?? fast),
    onStartedLeading: (signal) => {
      signals.push(signal);
      timeline.push(`${options.identity} started`);
    },
    onStoppedLeading: () => timeline.push(`${options.identity} stopped`),
    log: aCapturingLogger().log,
  });
  cleanups.push(() => election.stop());
  return { election, signals, timeline };
}

async function readLease(namespace: string) {
  return testKubeConfig().makeApiClient(CoordinationV1Api).readNamespacedLease({ namespace, name: leaseName });
}

describe('startLeaderElection', () => {
  it('lets exactly one of two candidates lead while it keeps renewing', async () => {
    const kubeConfig = testKubeConfig();
    const namespace = await createTestNamespace(kubeConfig, 'lease');
    const timeline: string[] = [];
    const first = aCandidate({ identity: 'operator-a', kubeConfig, namespace, timeline });
    const second = aCandidate({ identity: 'operator-b', kubeConfig, namespace, timeline });

    await eventually(() => expect(timeline).toHaveLength(1));
    // Wait until the leader has renewed for more than two lease durations.
    await eventually(
      async () => {
        const spec = (await readLease(namespace)).spec;
        expect(Date.parse(String(spec?.renewTime)) - Date.parse(String(spec?.acquireTime))).toBeGreaterThan(
          2 * fast.leaseDurationMs,
        );
      },
      { timeoutMs: 15_000 },
    );

    expect(timeline).toHaveLength(1);
    expect([first.election.isLeader(), second.election.isLeader()].filter(Boolean)).toHaveLength(1);
    expect((await readLease(namespace)).spec?.holderIdentity).toBe(timeline[0]?.replace(' started', ''));
  });

  it('releases the lease when the leader stops, so another candidate takes over without waiting for it to expire', async () => {
    const kubeConfig = testKubeConfig();
    const namespace = await createTestNamespace(kubeConfig, 'lease');
    // A lease far longer than the test may wait: only a release lets the second candidate lead.
    const slowToExpire = { leaseDurationMs: 60_000, renewDeadlineMs: 40_000, retryPeriodMs: 200 };
    const timeline: string[] = [];
    const first = aCandidate({ identity: 'operator-a', kubeConfig, namespace, timeline, durations: slowToExpire });
    await eventually(() => expect(first.election.isLeader()).toBe(true));
    const second = aCandidate({ identity: 'operator-b', kubeConfig, namespace, timeline, durations: slowToExpire });

    await first.election.stop();

    expect(first.signals[0]?.aborted).toBe(true);
    expect(first.election.isLeader()).toBe(false);
    await eventually(() => expect(second.election.isLeader()).toBe(true));
    expect(timeline).toEqual(['operator-a started', 'operator-a stopped', 'operator-b started']);
    expect((await readLease(namespace)).spec).toMatchObject({ holderIdentity: 'operator-b', leaseTransitions: 1 });
  });

  it('stops a leader cut off from the API server at its renew deadline, before another takes the expired lease', async () => {
    const admin = testKubeConfig();
    const namespace = await createTestNamespace(admin, 'lease');
    const { proxy, kubeConfig: throughProxy } = await startApiserverProxy(admin);
    cleanups.push(() => proxy.close());
    // The one bound this suite asserts, because it is the contract: a leader that cannot renew
    // stops within its renew deadline, before the lease can expire for anyone else, so two
    // replicas never act at once. The gap between the two (5 s) is what a slow machine may add
    // to a timer; only a leader that kept acting past its deadline can fail this ordering.
    const durations = { leaseDurationMs: 6_000, renewDeadlineMs: 1_000, retryPeriodMs: 200 };
    const timeline: string[] = [];
    const cutOff = aCandidate({ identity: 'operator-a', kubeConfig: throughProxy, namespace, timeline, durations });
    await eventually(() => expect(cutOff.election.isLeader()).toBe(true));
    const other = aCandidate({ identity: 'operator-b', kubeConfig: admin, namespace, timeline, durations });

    proxy.pause();

    await eventually(() => expect(other.election.isLeader()).toBe(true), { timeoutMs: 20_000 });
    expect(timeline).toEqual(['operator-a started', 'operator-a stopped', 'operator-b started']);
    expect(cutOff.signals[0]?.aborted).toBe(true);
    expect(cutOff.election.isLeader()).toBe(false);
  });

  it('stops leading when someone else overwrites its lease', async () => {
    const kubeConfig = testKubeConfig();
    const namespace = await createTestNamespace(kubeConfig, 'lease');
    const leader = aCandidate({ identity: 'operator-a', kubeConfig, namespace });
    await eventually(() => expect(leader.election.isLeader()).toBe(true));

    const lease = await readLease(namespace);
    await kubeConfig.makeApiClient(CoordinationV1Api).replaceNamespacedLease({
      namespace,
      name: leaseName,
      body: { ...lease, spec: { ...lease.spec, holderIdentity: 'intruder', renewTime: new V1MicroTime() } },
    });

    await eventually(() => expect(leader.timeline).toEqual(['operator-a started', 'operator-a stopped']));
    expect(leader.signals[0]?.aborted).toBe(true);
    expect(leader.election.isLeader()).toBe(false);
  });

  it('stops a candidate that never led without calling either callback', async () => {
    const kubeConfig = testKubeConfig();
    const namespace = await createTestNamespace(kubeConfig, 'lease');
    const leader = aCandidate({ identity: 'operator-a', kubeConfig, namespace });
    await eventually(() => expect(leader.election.isLeader()).toBe(true));
    const candidate = aCandidate({ identity: 'operator-b', kubeConfig, namespace });

    await candidate.election.stop();

    expect(candidate.timeline).toEqual([]);
    expect((await readLease(namespace)).spec?.holderIdentity).toBe('operator-a');
  });

  it('refuses a renew deadline that is not shorter than the lease', () => {
    expect(() =>
      startLeaderElection({
        kubeConfig: testKubeConfig(),
        namespace: 'default',
        name: leaseName,
        identity: 'operator-a',
        leaseDurationMs: 1_000,
        renewDeadlineMs: 1_000,
        onStartedLeading: () => {},
        onStoppedLeading: () => {},
        log: aCapturingLogger().log,
      }),
    ).toThrow(/renewDeadlineMs/);
  });
});

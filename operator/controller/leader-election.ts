import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { KubeAccess } from '../kube/kube-access.ts';
import { jittered } from './jitter.ts';
import { createLeaseLock, type LeaderRecord } from './lease-lock.ts';

export interface LeaderElection {
  /** True from `onStartedLeading` until leadership ends. */
  isLeader(): boolean;
  /**
   * Ends the election. A leader first aborts its leading signal, then releases the Lease (no
   * holder, a one-second duration) so another replica takes over at once instead of waiting
   * for the lease to expire, then calls `onStoppedLeading`. Resolves when all that is done.
   */
  stop(): Promise<void>;
}

/** Which Lease a replica runs for, as whom, and its timings (client-go's defaults: 15 / 10 / 2 s). */
export interface LeaseCandidacy {
  namespace: string;
  name: string;
  /** Unique per replica, e.g. the pod name plus a random suffix. */
  identity: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
}

type Attempt = 'acquired' | 'held-by-other' | 'failed';

/**
 * Runs for leadership on a Lease, with client-go's semantics: a candidate takes the Lease when
 * nobody holds it or its holder has not renewed it for the lease duration, measured on our own
 * clock from when we last saw the record change (never trusting another machine's clock); the
 * leader renews every `retryPeriodMs`. If it cannot renew within `renewDeadlineMs`, or sees the
 * Lease held by someone else, it stops leading: its signal aborts and `onStoppedLeading` runs.
 *
 * As in client-go, an elector that lost leadership does not run again: the caller decides, by
 * exiting (the usual choice: a restarted process starts clean) or by starting a new election.
 * The renew deadline must be shorter than the lease duration, so a leader that cannot renew has
 * stopped acting before anyone else may start.
 */
export function startLeaderElection(
  config: LeaseCandidacy & {
    kubeConfig: KubeAccess;
    /** Called once leadership is won; `signal` aborts when it ends. */
    onStartedLeading: (signal: AbortSignal) => void;
    /** Called once leadership ends, whether lost or given up through `stop()`. */
    onStoppedLeading: () => void;
    log: Logger;
  },
): LeaderElection {
  const { identity, leaseDurationMs = 15_000, renewDeadlineMs = 10_000, retryPeriodMs = 2_000 } = config;
  if (renewDeadlineMs >= leaseDurationMs) throw new Error('renewDeadlineMs must be shorter than leaseDurationMs');
  const log = config.log.child({ component: 'leader-election', lease: `${config.namespace}/${config.name}`, identity });
  const lock = createLeaseLock(config);
  const leaseDurationSeconds = Math.max(1, Math.ceil(leaseDurationMs / 1000));
  const stopping = new AbortController();
  let isLeader = false;
  // The last record we saw, and when we saw it change (performance.now(): monotonic, local).
  let observed: { key: string; atMs: number } = { key: '', atMs: 0 };
  // When the last successful acquire or renew started: the holder's lease runs from no earlier.
  let acquiredAtMs = 0;

  const pause = (ms: number, signal: AbortSignal) => delay(ms, undefined, { signal }).catch(() => {});

  const tryAcquireOrRenew = async (signal: AbortSignal): Promise<Attempt> => {
    const startedAtMs = performance.now();
    const now = new Date();
    const current = await lock.get(signal);
    if (!current) {
      const record = {
        holderIdentity: identity,
        leaseDurationSeconds,
        acquireTime: now,
        renewTime: now,
        leaseTransitions: 0,
      };
      if (!(await lock.create(record, signal))) return 'failed';
      observe(record);
      acquiredAtMs = startedAtMs;
      return 'acquired';
    }
    const held = current.record;
    if (recordKey(held) !== observed.key) observe(held);
    const isHeldByOther = held.holderIdentity !== '' && held.holderIdentity !== identity;
    if (isHeldByOther && performance.now() < observed.atMs + held.leaseDurationSeconds * 1000) return 'held-by-other';
    const isOurs = held.holderIdentity === identity;
    const record: LeaderRecord = {
      holderIdentity: identity,
      leaseDurationSeconds,
      acquireTime: isOurs ? held.acquireTime : now,
      renewTime: now,
      leaseTransitions: isOurs ? held.leaseTransitions : held.leaseTransitions + 1,
    };
    if (!(await lock.update(current.resourceVersion, record, signal))) return 'failed';
    observe(record);
    acquiredAtMs = startedAtMs;
    return 'acquired';
  };

  const observe = (record: LeaderRecord) => {
    observed = { key: recordKey(record), atMs: performance.now() };
  };

  const attempt = async (signal: AbortSignal): Promise<Attempt> => {
    try {
      return await tryAcquireOrRenew(signal);
    } catch (err) {
      if (!signal.aborted) log.warn({ err }, 'lease request failed');
      return 'failed';
    }
  };

  // Retries every retryPeriod until renewed, but only until renewDeadline has passed since the
  // last renewal: soon after, another replica may take the lease, and we must have stopped first.
  const renewWithinDeadline = async (): Promise<Attempt> => {
    const remainingMs = Math.max(0, Math.floor(acquiredAtMs + renewDeadlineMs - performance.now()));
    const deadline = AbortSignal.any([stopping.signal, AbortSignal.timeout(remainingMs)]);
    while (!deadline.aborted) {
      const result = await attempt(deadline);
      if (result !== 'failed') return result;
      await pause(retryPeriodMs, deadline);
    }
    return 'failed';
  };

  const release = async (): Promise<void> => {
    const signal = AbortSignal.timeout(renewDeadlineMs);
    try {
      const current = await lock.get(signal);
      if (!current || current.record.holderIdentity !== identity) return;
      const now = new Date();
      const released = {
        ...current.record,
        holderIdentity: '',
        leaseDurationSeconds: 1,
        acquireTime: now,
        renewTime: now,
      };
      if (await lock.update(current.resourceVersion, released, signal)) log.info('released the lease');
    } catch (err) {
      log.warn({ err }, 'could not release the lease; it will expire');
    }
  };

  const callSafely = (name: string, callback: () => void) => {
    try {
      callback();
    } catch (err) {
      log.error({ err }, `${name} failed`);
    }
  };

  const run = async (): Promise<void> => {
    while (!stopping.signal.aborted && (await attempt(stopping.signal)) !== 'acquired') {
      // client-go's JitterUntil(retryPeriod, 1.2): candidates do not retry in lockstep.
      await pause(jittered(retryPeriodMs, 1.2), stopping.signal);
    }
    if (stopping.signal.aborted) return;

    const leading = new AbortController();
    isLeader = true;
    log.info('started leading');
    callSafely('onStartedLeading', () => config.onStartedLeading(leading.signal));
    try {
      await renewUntilLost();
    } finally {
      isLeader = false;
      leading.abort();
      if (stopping.signal.aborted) await release();
      log.info('stopped leading');
      callSafely('onStoppedLeading', config.onStoppedLeading);
    }
  };

  const renewUntilLost = async (): Promise<void> => {
    for (;;) {
      await pause(retryPeriodMs, stopping.signal);
      if (stopping.signal.aborted) return;
      const renewal = await renewWithinDeadline();
      if (stopping.signal.aborted) return;
      if (renewal === 'held-by-other') {
        log.warn('the lease is held by someone else; stopped leading');
        return;
      }
      if (renewal === 'failed') {
        log.warn({ renewDeadlineMs }, 'could not renew the lease in time; stopped leading');
        return;
      }
    }
  };

  const running = run().catch((err) => log.error({ err }, 'leader election failed'));

  return {
    isLeader: () => isLeader,
    async stop() {
      stopping.abort();
      await running;
      lock.close();
    },
  };
}

function recordKey(record: LeaderRecord): string {
  return JSON.stringify([
    record.holderIdentity,
    record.leaseDurationSeconds,
    record.acquireTime.getTime(),
    record.renewTime.getTime(),
    record.leaseTransitions,
  ]);
}

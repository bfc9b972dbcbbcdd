import type { Logger } from 'pino';
import type { OrgSleep } from '../backends/deploy-backend.ts';
import { createPeriodicSweep } from './periodic-sweep.ts';

export interface IdleOrgSleep {
  /**
   * Marks a run, test or stream of the org as begun: the org is not idle until the function this
   * returns is called (a stream may outlast the idle time).
   */
  begin(orgSlug: string): () => void;
  /** One look at every awake org, putting the idle ones to sleep (the timer calls it too). */
  sweep(): Promise<void>;
  stop(): Promise<void>;
}

// A sleep is noticed within a quarter of the idle time, and at least every 30 s.
const longestSweepMs = 30_000;
const shortestSweepMs = 250;
// Other replicas hear of this one's calls at most this often per org: a write per run would cost
// a round trip per run (issue 13 item 5), and the idle time is far longer.
const longestShareMs = 60_000;

/**
 * Puts orgs whose runtime served nothing for `idleMs` to sleep (issue 13: orgs that sleep cost
 * nothing). The Cloud API sees every call: each one counts as activity from its start to its end,
 * and is shared (throttled) with the other API replicas through the backend, which puts an org to
 * sleep only if no replica saw it called since. An org first seen awake (just deployed, or awake
 * when this process started) gets a whole idle time from then.
 */
export function startIdleOrgSleep(deps: {
  sleep: OrgSleep;
  idleMs: number;
  now: () => Date;
  log: Logger;
}): IdleOrgSleep {
  const { sleep, idleMs } = deps;
  const log = deps.log.child({ component: 'idle-org-sleep' });
  const lastActiveMs = new Map<string, number>();
  const callsInFlight = new Map<string, number>();
  const sharedAtMs = new Map<string, number>();
  const shareEveryMs = Math.min(idleMs / 4, longestShareMs);

  function share(orgSlug: string, atMs: number): void {
    if (atMs - (sharedAtMs.get(orgSlug) ?? Number.NEGATIVE_INFINITY) < shareEveryMs) return;
    sharedAtMs.set(orgSlug, atMs);
    sleep
      .noteActive(orgSlug, new Date(atMs))
      .catch((err: unknown) => log.warn({ err, org: orgSlug }, 'org activity not shared'));
  }

  async function sweepOnce(): Promise<void> {
    for (const orgSlug of await sleep.awakeOrgs()) {
      const nowMs = deps.now().getTime();
      if ((callsInFlight.get(orgSlug) ?? 0) > 0) {
        // A long stream keeps its org awake on every replica, not only on this one.
        share(orgSlug, nowMs);
        continue;
      }
      const lastMs = lastActiveMs.get(orgSlug);
      if (lastMs === undefined) {
        lastActiveMs.set(orgSlug, nowMs);
        continue;
      }
      const idleForMs = nowMs - lastMs;
      if (idleForMs < idleMs) continue;
      const isAsleep = await sleep.sleepIfIdleSince(orgSlug, new Date(nowMs - idleMs));
      if (!isAsleep) continue;
      lastActiveMs.delete(orgSlug);
      sharedAtMs.delete(orgSlug);
      log.info({ org: orgSlug, idleForMs }, 'org put to sleep');
    }
  }

  const sweeper = createPeriodicSweep({
    intervalMs: Math.max(shortestSweepMs, Math.min(idleMs / 4, longestSweepMs)),
    run: sweepOnce,
    onError: (err) => log.warn({ err }, 'idle orgs not swept'),
  });
  sweeper.start();

  return {
    begin(orgSlug: string): () => void {
      const atMs = deps.now().getTime();
      lastActiveMs.set(orgSlug, atMs);
      callsInFlight.set(orgSlug, (callsInFlight.get(orgSlug) ?? 0) + 1);
      share(orgSlug, atMs);
      let hasEnded = false;
      return () => {
        if (hasEnded) return;
        hasEnded = true;
        lastActiveMs.set(orgSlug, deps.now().getTime());
        const left = (callsInFlight.get(orgSlug) ?? 1) - 1;
        if (left > 0) callsInFlight.set(orgSlug, left);
        else callsInFlight.delete(orgSlug);
      };
    },
    sweep: sweeper.sweep,
    stop: sweeper.stop,
  };
}

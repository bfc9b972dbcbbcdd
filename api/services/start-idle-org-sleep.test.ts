import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { OrgSleep } from '../backends/deploy-backend.ts';
import { type IdleOrgSleep, startIdleOrgSleep } from './start-idle-org-sleep.ts';

// Long enough that the sweep's own timer (a quarter of it) never fires during a test, short enough
// that its quarter is under the one-minute cap on sharing activity. Each test sweeps by hand, on a
// clock it moves.
const idleMs = 200_000;

/**
 * An OrgSleep as a backend offers it, recording what the sweep asks: `othersSawAt` is when
 * another API replica last saw the org called (what the Kubernetes backend reads from the org
 * Secret), which keeps it awake as that backend does.
 */
function aBackendSleep(awake: string[], othersSawAt: Record<string, number> = {}) {
  const asleep: string[] = [];
  const shared: { org: string; atMs: number }[] = [];
  const sleep: OrgSleep = {
    awakeOrgs: async () => awake.filter((org) => !asleep.includes(org)),
    async sleepIfIdleSince(org, idleSince) {
      if ((othersSawAt[org] ?? 0) > idleSince.getTime()) return false;
      asleep.push(org);
      return true;
    },
    async noteActive(org, at) {
      shared.push({ org, atMs: at.getTime() });
    },
  };
  return { sleep, asleep, shared };
}

describe('putting idle orgs to sleep', () => {
  const started: IdleOrgSleep[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((sleeper) => sleeper.stop()));
  });

  function startAt(sleep: OrgSleep) {
    const clock = { nowMs: 1_000_000 };
    const sleeper = startIdleOrgSleep({
      sleep,
      idleMs,
      now: () => new Date(clock.nowMs),
      log: pino({ level: 'silent' }),
    });
    started.push(sleeper);
    return { sleeper, clock };
  }

  it('puts an org to sleep once it has served nothing for the idle time since it was first seen awake', async () => {
    const backend = aBackendSleep(['acme']);
    const { sleeper, clock } = startAt(backend.sleep);

    await sleeper.sweep();
    clock.nowMs += idleMs - 1;
    await sleeper.sweep();
    const beforeIdleTime = [...backend.asleep];
    clock.nowMs += 1;
    await sleeper.sweep();

    expect(beforeIdleTime).toEqual([]);
    expect(backend.asleep).toEqual(['acme']);
  });

  it('counts the idle time from the end of the last call, not its start', async () => {
    const backend = aBackendSleep(['acme']);
    const { sleeper, clock } = startAt(backend.sleep);
    const end = sleeper.begin('acme');
    clock.nowMs += idleMs;
    end();

    clock.nowMs += idleMs - 1;
    await sleeper.sweep();

    expect(backend.asleep).toEqual([]);
  });

  it('never puts to sleep an org with a call in flight, and tells the other replicas on each sweep', async () => {
    const backend = aBackendSleep(['acme']);
    const { sleeper, clock } = startAt(backend.sleep);
    sleeper.begin('acme');

    clock.nowMs += 3 * idleMs;
    await sleeper.sweep();

    expect(backend.asleep).toEqual([]);
    expect(backend.shared.map((share) => share.atMs)).toEqual([1_000_000, 1_000_000 + 3 * idleMs]);
  });

  it('tells the other replicas of its calls at most once per quarter of the idle time', async () => {
    const backend = aBackendSleep(['acme']);
    const { sleeper, clock } = startAt(backend.sleep);

    for (let call = 0; call < 10; call++) {
      sleeper.begin('acme')();
      clock.nowMs += idleMs / 20;
    }

    expect(backend.shared.map((share) => share.atMs)).toEqual([1_000_000, 1_000_000 + (5 * idleMs) / 20]);
  });

  it('leaves awake an org that another replica served within the idle time', async () => {
    const backend = aBackendSleep(['acme'], { acme: 1_000_000 + idleMs });
    const { sleeper, clock } = startAt(backend.sleep);
    await sleeper.sweep();

    clock.nowMs += idleMs + 1;
    await sleeper.sweep();

    expect(backend.asleep).toEqual([]);
  });

  it('puts each idle org to sleep on its own, leaving the busy ones awake', async () => {
    const backend = aBackendSleep(['acme', 'globex', 'initech']);
    const { sleeper, clock } = startAt(backend.sleep);
    await sleeper.sweep();
    clock.nowMs += idleMs / 2;
    sleeper.begin('globex')();

    clock.nowMs += idleMs / 2;
    await sleeper.sweep();

    expect(backend.asleep).toEqual(['acme', 'initech']);
  });
});

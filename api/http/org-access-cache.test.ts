import { describe, expect, it } from 'vitest';
import { createOrgAccessCache } from './org-access-cache.ts';

function aCache(ttlMs = 1_000) {
  let nowMs = Date.parse('2026-12-02T09:00:00Z');
  const cache = createOrgAccessCache({ ttlMs, now: () => new Date(nowMs) });
  const advanceMs = (ms: number) => {
    nowMs += ms;
  };
  const inAnHour = new Date(nowMs + 3_600_000);
  return { cache, advanceMs, inAnHour };
}

const ada = { sessionId: 's1', userId: 'u1', orgSlug: 'acme' };

describe('the org access cache', () => {
  it('answers what it was told until ttlMs have passed, then nothing', () => {
    const { cache, advanceMs, inAnHour } = aCache();
    cache.remember(ada, { orgId: 'o1', role: 'member', sessionExpiresAt: inAnHour });

    advanceMs(999);
    expect(cache.get(ada)).toMatchObject({ orgId: 'o1', role: 'member' });
    advanceMs(1);
    expect(cache.get(ada)).toBeUndefined();
  });

  it('never outlives the session', () => {
    const { cache, advanceMs } = aCache();
    cache.remember(ada, {
      orgId: 'o1',
      role: 'owner',
      sessionExpiresAt: new Date(Date.parse('2026-12-02T09:00:00.500Z')),
    });

    advanceMs(500);

    expect(cache.get(ada)).toBeUndefined();
  });

  it('keeps sessions, users and orgs apart', () => {
    const { cache, inAnHour } = aCache();
    cache.remember(ada, { orgId: 'o1', role: 'owner', sessionExpiresAt: inAnHour });

    expect(cache.get({ ...ada, sessionId: 's2' })).toBeUndefined();
    expect(cache.get({ ...ada, userId: 'u2' })).toBeUndefined();
    expect(cache.get({ ...ada, orgSlug: 'other' })).toBeUndefined();
  });

  it('forgets every org of a revoked session at once, and only that session', () => {
    const { cache, inAnHour } = aCache();
    cache.remember(ada, { orgId: 'o1', role: 'owner', sessionExpiresAt: inAnHour });
    cache.remember({ ...ada, orgSlug: 'beta' }, { orgId: 'o2', role: 'member', sessionExpiresAt: inAnHour });
    cache.remember({ ...ada, sessionId: 's2' }, { orgId: 'o1', role: 'owner', sessionExpiresAt: inAnHour });

    cache.forgetSession('s1');

    expect(cache.get(ada)).toBeUndefined();
    expect(cache.get({ ...ada, orgSlug: 'beta' })).toBeUndefined();
    expect(cache.get({ ...ada, sessionId: 's2' })).toMatchObject({ orgId: 'o1' });
  });

  it('keeps nothing when ttlMs is 0', () => {
    const { cache, inAnHour } = aCache(0);
    cache.remember(ada, { orgId: 'o1', role: 'owner', sessionExpiresAt: inAnHour });

    expect(cache.get(ada)).toBeUndefined();
  });
});

import type { Role } from './principal.ts';

/** What the session-and-role lookup found for a live session with a role in the org. */
export interface CachedOrgAccess {
  orgId: string;
  role: Role;
  /** The session's own end: an entry never outlives it. */
  sessionExpiresAt: Date;
}

export interface OrgAccessCache {
  get(key: { sessionId: string; userId: string; orgSlug: string }): CachedOrgAccess | undefined;
  remember(key: { sessionId: string; userId: string; orgSlug: string }, access: CachedOrgAccess): void;
  /** A revoked session (logout, refresh-token reuse) is refused by this process at once. */
  forgetSession(sessionId: string): void;
}

/** Entries at most; past it the oldest go first, so memory stays bounded whatever the traffic. */
const maxEntries = 10_000;

/**
 * The signed-in caller's access to an org, as the database answered it, for `ttlMs`: a run through
 * the API no longer pays a round trip to re-read what it read a moment ago (issue 13). Only live
 * sessions with a role are kept, so access granted takes effect at once; a session revoked in
 * this process is forgotten at once, and one revoked by another replica is refused here at most
 * `ttlMs` later (README: "Sign-in sessions"). Members are never removed or demoted by the API.
 */
export function createOrgAccessCache(options: { ttlMs: number; now: () => Date }): OrgAccessCache {
  const entries = new Map<string, CachedOrgAccess & { sessionId: string; keptUntil: number }>();
  const keyOf = (key: { sessionId: string; userId: string; orgSlug: string }) =>
    `${key.sessionId}\u0000${key.userId}\u0000${key.orgSlug}`;

  return {
    get(key) {
      const entry = entries.get(keyOf(key));
      if (!entry) return undefined;
      const now = options.now().getTime();
      if (now >= entry.keptUntil || now >= entry.sessionExpiresAt.getTime()) {
        entries.delete(keyOf(key));
        return undefined;
      }
      return entry;
    },
    remember(key, access) {
      if (options.ttlMs <= 0) return;
      const id = keyOf(key);
      entries.delete(id);
      entries.set(id, { ...access, sessionId: key.sessionId, keptUntil: options.now().getTime() + options.ttlMs });
      if (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    },
    forgetSession(sessionId) {
      for (const [id, entry] of entries) if (entry.sessionId === sessionId) entries.delete(id);
    },
  };
}

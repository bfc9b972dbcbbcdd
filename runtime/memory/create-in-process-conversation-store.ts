import type { ConversationStore, SessionSummary, StoredTurn, Turn } from './memory-types.ts';

export interface InProcessConversationStoreOptions {
  /** Sessions kept across all agents; past this the least recently used session is dropped. */
  maxSessions?: number;
  /**
   * Turns kept per session; past this the oldest are dropped. Above the schema's largest window
   * (1000) plus the summary strategy's 5 recent messages, so no strategy loses a turn it needs.
   */
  maxTurnsPerSession?: number;
  clock?: () => Date;
}

interface Session {
  turns: StoredTurn[];
  summary: SessionSummary | undefined;
  /** Absent: the session never expires. */
  expiresAtMs: number | undefined;
}

const defaultMaxSessions = 10_000;
const defaultMaxTurnsPerSession = 2_000;

/**
 * The default conversation store: a bounded LRU map in this process. A runtime pod serves one
 * org, so its memory holds only that org's sessions (DESIGN.md, decision 9); a restart forgets them.
 */
export function createInProcessConversationStore(options: InProcessConversationStoreOptions = {}): ConversationStore {
  const maxSessions = options.maxSessions ?? defaultMaxSessions;
  const maxTurnsPerSession = options.maxTurnsPerSession ?? defaultMaxTurnsPerSession;
  const clock = options.clock ?? (() => new Date());
  // A Map iterates in insertion order, so re-inserting on every use keeps the least recently used first.
  const sessions = new Map<string, Session>();

  // Agent ids cannot contain NUL (agent-schema.ts), so the first NUL always separates the two parts.
  const keyOf = (agent: string, session: string) => `${agent}\u0000${session}`;

  function liveSession(key: string): Session | undefined {
    const session = sessions.get(key);
    if (!session) return undefined;
    sessions.delete(key);
    if (session.expiresAtMs !== undefined && session.expiresAtMs <= clock().getTime()) return undefined;
    sessions.set(key, session);
    return session;
  }

  function remember(key: string, session: Session): void {
    sessions.set(key, session);
    for (const oldest of sessions.keys()) {
      if (sessions.size <= maxSessions) break;
      sessions.delete(oldest);
    }
  }

  return {
    async history(agent, session, historyOptions = {}) {
      const turns = liveSession(keyOf(agent, session))?.turns ?? [];
      const { limit } = historyOptions;
      const newest = limit === undefined ? turns : limit <= 0 ? [] : turns.slice(-limit);
      return newest.map((turn) => ({ ...turn }));
    },

    async append(agent, session, turns: Turn[], appendOptions = {}) {
      if (turns.length === 0) return;
      const key = keyOf(agent, session);
      const now = clock();
      const entry = liveSession(key) ?? { turns: [], summary: undefined, expiresAtMs: undefined };
      entry.turns.push(...turns.map((turn) => ({ role: turn.role, content: turn.content, createdAt: now })));
      const excess = entry.turns.length - maxTurnsPerSession;
      if (excess > 0) {
        entry.turns.splice(0, excess);
        // The summary still describes the dropped turns; it now replaces fewer of the kept ones.
        if (entry.summary) entry.summary.coveredTurns = Math.max(0, entry.summary.coveredTurns - excess);
      }
      entry.expiresAtMs =
        appendOptions.ttlSeconds === undefined ? undefined : now.getTime() + appendOptions.ttlSeconds * 1000;
      remember(key, entry);
    },

    async summary(agent, session) {
      const summary = liveSession(keyOf(agent, session))?.summary;
      return summary && { ...summary };
    },

    async saveSummary(agent, session, summary) {
      const key = keyOf(agent, session);
      const entry = liveSession(key) ?? { turns: [], summary: undefined, expiresAtMs: undefined };
      entry.summary = { text: summary.text, coveredTurns: summary.coveredTurns };
      remember(key, entry);
    },

    async clear(agent, session) {
      const key = keyOf(agent, session);
      const existed = liveSession(key) !== undefined;
      sessions.delete(key);
      return existed;
    },

    async close() {
      sessions.clear();
    },
  };
}

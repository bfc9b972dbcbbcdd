import { inWriteTransaction, openSqliteFile } from '../sqlite/open-sqlite-file.ts';
import type { ConversationStore, StoredTurn } from './memory-types.ts';

export interface SqliteConversationStoreOptions {
  /** The database file; created, with its folder, when missing. */
  file: string;
  clock?: () => Date;
}

// Expired sessions are deleted a batch at a time as new turns arrive, as the PostgreSQL store
// does: storage stays bounded without a timer.
const expiredSessionsPerAppend = 100;

/**
 * Conversations in a SQLite file (Node's built-in node:sqlite): they survive restarts of the
 * runtime without a database server. Times are stored as milliseconds since the epoch, by the
 * store's clock, so expiry follows that clock exactly. Every value travels as a parameter.
 */
export function createSqliteConversationStore(options: SqliteConversationStoreOptions): ConversationStore {
  const clock = options.clock ?? (() => new Date());
  const db = openSqliteFile(
    options.file,
    `
      CREATE TABLE IF NOT EXISTS conversation_sessions (
        agent TEXT NOT NULL,
        session_id TEXT NOT NULL,
        next_seq INTEGER NOT NULL DEFAULT 0,
        summary_text TEXT,
        summary_covered_turns INTEGER,
        expires_at_ms INTEGER,
        PRIMARY KEY (agent, session_id)
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS conversation_sessions_expires_at
        ON conversation_sessions (expires_at_ms) WHERE expires_at_ms IS NOT NULL;
      CREATE TABLE IF NOT EXISTS conversation_turns (
        agent TEXT NOT NULL,
        session_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
        content TEXT NOT NULL,
        created_at_ms INTEGER NOT NULL,
        PRIMARY KEY (agent, session_id, seq),
        FOREIGN KEY (agent, session_id) REFERENCES conversation_sessions (agent, session_id) ON DELETE CASCADE
      ) WITHOUT ROWID;
    `,
  );

  const isLive = '(expires_at_ms IS NULL OR expires_at_ms > :now)';
  const statements = {
    history: db.prepare(
      `SELECT t.role, t.content, t.created_at_ms FROM conversation_turns t
         JOIN conversation_sessions s ON s.agent = t.agent AND s.session_id = t.session_id
        WHERE t.agent = :agent AND t.session_id = :session AND ${isLive}
        ORDER BY t.seq DESC LIMIT :limit`,
    ),
    session: db.prepare(
      'SELECT next_seq, expires_at_ms FROM conversation_sessions WHERE agent = :agent AND session_id = :session',
    ),
    insertSession: db.prepare(
      'INSERT OR IGNORE INTO conversation_sessions (agent, session_id) VALUES (:agent, :session)',
    ),
    resetSession: db.prepare(
      `UPDATE conversation_sessions SET next_seq = 0, summary_text = NULL, summary_covered_turns = NULL
        WHERE agent = :agent AND session_id = :session`,
    ),
    deleteTurns: db.prepare('DELETE FROM conversation_turns WHERE agent = :agent AND session_id = :session'),
    insertTurn: db.prepare(
      `INSERT INTO conversation_turns (agent, session_id, seq, role, content, created_at_ms)
       VALUES (:agent, :session, :seq, :role, :content, :createdAt)`,
    ),
    touchSession: db.prepare(
      `UPDATE conversation_sessions SET next_seq = :nextSeq, expires_at_ms = :expiresAt
        WHERE agent = :agent AND session_id = :session`,
    ),
    deleteExpired: db.prepare(
      `DELETE FROM conversation_sessions WHERE (agent, session_id) IN (
         SELECT agent, session_id FROM conversation_sessions WHERE expires_at_ms <= :now
         ORDER BY expires_at_ms LIMIT :batch)`,
    ),
    summary: db.prepare(
      `SELECT summary_text, summary_covered_turns FROM conversation_sessions
        WHERE agent = :agent AND session_id = :session AND ${isLive} AND summary_text IS NOT NULL`,
    ),
    saveSummary: db.prepare(
      `INSERT INTO conversation_sessions (agent, session_id, summary_text, summary_covered_turns)
       VALUES (:agent, :session, :text, :covered)
       ON CONFLICT (agent, session_id)
       DO UPDATE SET summary_text = excluded.summary_text, summary_covered_turns = excluded.summary_covered_turns`,
    ),
    clear: db.prepare(
      `DELETE FROM conversation_sessions WHERE agent = :agent AND session_id = :session RETURNING ${isLive} AS was_live`,
    ),
  };

  /** Runs `work` in one write transaction; SQLite serialises writers, so sequence numbers never collide. */
  function inTransaction(work: () => void): void {
    inWriteTransaction(db, work);
  }

  return {
    async history(agent, session, historyOptions = {}) {
      // LIMIT -1 is SQLite's "no limit".
      const limit = historyOptions.limit === undefined ? -1 : Math.max(0, historyOptions.limit);
      const rows = statements.history.all({ agent, session, now: clock().getTime(), limit }) as {
        role: StoredTurn['role'];
        content: string;
        created_at_ms: number;
      }[];
      return rows
        .reverse()
        .map((row) => ({ role: row.role, content: row.content, createdAt: new Date(row.created_at_ms) }));
    },

    async append(agent, session, turns, appendOptions = {}) {
      if (turns.length === 0) return;
      const now = clock().getTime();
      const { ttlSeconds } = appendOptions;
      const expiresAt = ttlSeconds === undefined ? null : now + ttlSeconds * 1000;
      inTransaction(() => {
        statements.insertSession.run({ agent, session });
        const row = statements.session.get({ agent, session }) as { next_seq: number; expires_at_ms: number | null };
        const isExpired = row.expires_at_ms !== null && row.expires_at_ms <= now;
        if (isExpired) {
          statements.deleteTurns.run({ agent, session });
          statements.resetSession.run({ agent, session });
        }
        const firstSeq = isExpired ? 0 : row.next_seq;
        turns.forEach((turn, index) => {
          statements.insertTurn.run({
            agent,
            session,
            seq: firstSeq + index,
            role: turn.role,
            content: turn.content,
            createdAt: now,
          });
        });
        statements.touchSession.run({ agent, session, nextSeq: firstSeq + turns.length, expiresAt });
      });
      statements.deleteExpired.run({ now, batch: expiredSessionsPerAppend });
    },

    async summary(agent, session) {
      const row = statements.summary.get({ agent, session, now: clock().getTime() }) as
        | { summary_text: string; summary_covered_turns: number }
        | undefined;
      return row && { text: row.summary_text, coveredTurns: row.summary_covered_turns };
    },

    async saveSummary(agent, session, summary) {
      statements.saveSummary.run({ agent, session, text: summary.text, covered: summary.coveredTurns });
    },

    async clear(agent, session) {
      const row = statements.clear.get({ agent, session, now: clock().getTime() }) as { was_live: number } | undefined;
      return row?.was_live === 1;
    },

    async close() {
      if (db.isOpen) db.close();
    },
  };
}

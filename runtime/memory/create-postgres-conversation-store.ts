import pg from 'pg';
import type { Logger } from 'pino';
import { conversationTableNames, ensureConversationTables } from './ensure-conversation-tables.ts';
import type { ConversationStore, SessionSummary, StoredTurn } from './memory-types.ts';

export interface PostgresConversationStoreOptions {
  connectionString: string;
  /**
   * Where the tables live. Give each org its own schema and a role that can reach only that
   * schema, so one org's runtime cannot read another's conversations (DESIGN.md, decision 9).
   */
  schema?: string;
  log: Logger;
  clock?: () => Date;
  maxConnections?: number;
  /** How long a run waits on the database; defaults: `defaultMemoryTimeouts`. */
  timeouts?: { connectMs: number; queryMs: number };
}

// A paused or unreachable database must fail the run that needs it within a bound, not hold it
// (and its socket) until the orchestration deadline. The same bounds as the Cloud API's defaults.
export const defaultMemoryTimeouts = { connectMs: 5_000, queryMs: 15_000 };
// The server cancels a statement at queryMs; the client gives up this much later on a server that
// cannot answer at all (SIGSTOP, a partition).
const clientGraceMs = 1_000;

// Expired sessions are deleted a batch at a time as new turns arrive, so storage stays bounded
// without a timer, and no single append pays for a large backlog.
const expiredSessionsPerAppend = 100;

/**
 * Conversations in PostgreSQL: they survive restarts and are shared by replicas. Every value
 * travels as a query parameter; the only text put into SQL is the schema, quoted as an identifier.
 */
export async function createPostgresConversationStore(
  options: PostgresConversationStoreOptions,
): Promise<ConversationStore> {
  const schema = options.schema ?? 'public';
  if (schema === '' || schema.includes('\u0000') || Buffer.byteLength(schema) > 63) {
    throw new Error(`conversation store schema must be 1 to 63 bytes without NUL, got ${JSON.stringify(schema)}`);
  }
  const log = options.log.child({ component: 'postgres-conversation-store', schema });
  const clock = options.clock ?? (() => new Date());
  const timeouts = options.timeouts ?? defaultMemoryTimeouts;
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    // A run holds a connection for one statement and its commit; 10 let commits share the WAL
    // flush at concurrency 64 (issue 13: about twice the runs/s of 5 on 2 cores), and an idle
    // pool closes them again after 10 s, so a quiet org holds none.
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: timeouts.connectMs,
    statement_timeout: timeouts.queryMs,
    query_timeout: timeouts.queryMs + clientGraceMs,
    // A transaction left open by a stalled runtime must not keep its row locks.
    idle_in_transaction_session_timeout: timeouts.queryMs * 2,
    keepAlive: true,
  });
  // Without a listener, an idle connection dropped by the server would crash the process.
  pool.on('error', (err) => log.warn({ err }, 'idle conversation store connection failed'));
  try {
    const client = await pool.connect();
    const stopListening = listenWhileCheckedOut(client);
    try {
      await ensureConversationTables({ client, schema, log });
    } finally {
      stopListening();
      client.release();
    }
  } catch (err) {
    await pool.end();
    throw err;
  }

  const { sessions, turns } = conversationTableNames(schema);
  const isLive = '(s.expires_at IS NULL OR s.expires_at > $3)';
  let isClosed = false;

  async function inTransaction(work: (client: pg.PoolClient) => Promise<void>): Promise<void> {
    const client = await pool.connect();
    const stopListening = listenWhileCheckedOut(client);
    let isBroken = false;
    try {
      await client.query('BEGIN');
      await work(client);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {
        isBroken = true;
      });
      throw err;
    } finally {
      stopListening();
      // A connection that could not even roll back is closed, not lent out again.
      client.release(isBroken);
    }
  }

  async function deleteExpiredSessions(now: Date): Promise<void> {
    const deleted = await pool.query(
      `DELETE FROM ${sessions} WHERE (agent, session_id) IN (
         SELECT agent, session_id FROM ${sessions} WHERE expires_at <= $1
         ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [now, expiredSessionsPerAppend],
    );
    if (deleted.rowCount) log.debug({ sessions: deleted.rowCount }, 'expired conversations deleted');
  }

  // The session's row is inserted or, while it is live, moved on by the turns' count under its
  // row lock (so concurrent appends never share a number), and the turns are numbered from what
  // it returns. An expired session returns no row and inserts nothing: appendToExpiredSession
  // starts it afresh. Up to $8 expired sessions of other conversations are deleted on the way
  // (their turns by cascade), so storage stays bounded without a timer. A statement that reaches
  // the server after $9, when this store has given up on it and failed the run, inserts nothing:
  // without a transaction around it, it would otherwise still land, late (a stalled network).
  // Its rowCount is 0 then too; the fallback's own transaction settles it either way.
  const appendToLiveSession = `
    WITH session AS (
      INSERT INTO ${sessions} AS s (agent, session_id, next_seq, last_activity_at, expires_at)
      SELECT $1, $2, $3::integer, $4, $5 WHERE clock_timestamp() < $9
      ON CONFLICT (agent, session_id) DO UPDATE
         SET next_seq = s.next_seq + $3::integer, last_activity_at = $4, expires_at = $5
       WHERE s.expires_at IS NULL OR s.expires_at > $4
      RETURNING s.next_seq - $3::integer AS first_seq
    ), expired AS (
      DELETE FROM ${sessions} WHERE (agent, session_id) IN (
        SELECT agent, session_id FROM ${sessions}
         WHERE expires_at <= $4 AND NOT (agent = $1 AND session_id = $2)
         ORDER BY expires_at LIMIT $8 FOR UPDATE SKIP LOCKED)
    )
    INSERT INTO ${turns} (agent, session_id, seq, role, content, created_at)
    SELECT $1, $2, session.first_seq + t.ord::integer - 1, t.role, t.content, $4
      FROM session, unnest($6::text[], $7::text[]) WITH ORDINALITY AS t(role, content, ord)`;

  async function appendToExpiredSession(input: {
    agent: string;
    session: string;
    roles: string[];
    contents: string[];
    now: Date;
    expiresAt: Date | null;
  }): Promise<void> {
    const { agent, session, now } = input;
    await inTransaction(async (client) => {
      await client.query(
        `INSERT INTO ${sessions} (agent, session_id, last_activity_at) VALUES ($1, $2, $3)
         ON CONFLICT (agent, session_id) DO NOTHING`,
        [agent, session, now],
      );
      // The row lock orders concurrent appends to one session, so sequence numbers never collide.
      const { rows } = await client.query<{ next_seq: number; is_expired: boolean }>(
        `SELECT next_seq, (expires_at IS NOT NULL AND expires_at <= $3) AS is_expired
           FROM ${sessions} WHERE agent = $1 AND session_id = $2 FOR UPDATE`,
        [agent, session, now],
      );
      // Another append may have started it afresh (or a clear removed it) meanwhile.
      const isExpired = rows[0]?.is_expired ?? false;
      const firstSeq = isExpired ? 0 : (rows[0]?.next_seq ?? 0);
      if (isExpired) await client.query(`DELETE FROM ${turns} WHERE agent = $1 AND session_id = $2`, [agent, session]);
      await client.query(
        `INSERT INTO ${turns} (agent, session_id, seq, role, content, created_at)
         SELECT $1, $2, $3::integer + t.ord::integer - 1, t.role, t.content, $6
           FROM unnest($4::text[], $5::text[]) WITH ORDINALITY AS t(role, content, ord)`,
        [agent, session, firstSeq, input.roles, input.contents, now],
      );
      await client.query(
        `UPDATE ${sessions}
            SET next_seq = $3, last_activity_at = $4, expires_at = $5,
                summary_text = CASE WHEN $6::boolean THEN NULL ELSE summary_text END,
                summary_covered_turns = CASE WHEN $6::boolean THEN NULL ELSE summary_covered_turns END
          WHERE agent = $1 AND session_id = $2`,
        [agent, session, firstSeq + input.roles.length, now, input.expiresAt, isExpired],
      );
    });
  }

  return {
    async history(agent, session, historyOptions = {}) {
      // Prepared once per connection, by name: each pool serves one schema, so one text per name.
      const { rows } = await pool.query<{ role: StoredTurn['role']; content: string; created_at: Date }>({
        name: 'conversation-history',
        text: `SELECT t.role, t.content, t.created_at
           FROM ${turns} t JOIN ${sessions} s ON s.agent = t.agent AND s.session_id = t.session_id
          WHERE t.agent = $1 AND t.session_id = $2 AND ${isLive}
          ORDER BY t.seq DESC LIMIT $4::integer`,
        values: [
          agent,
          session,
          clock(),
          historyOptions.limit === undefined ? null : Math.max(0, historyOptions.limit),
        ],
      });
      return rows.reverse().map((row) => ({ role: row.role, content: row.content, createdAt: row.created_at }));
    },

    async append(agent, session, newTurns, appendOptions = {}) {
      if (newTurns.length === 0) return;
      const now = clock();
      const ttlSeconds = appendOptions.ttlSeconds;
      const expiresAt = ttlSeconds === undefined ? null : new Date(now.getTime() + ttlSeconds * 1000);
      const roles = newTurns.map((turn) => turn.role);
      // PostgreSQL text cannot hold NUL; the replacement character keeps the rest of the message.
      const contents = newTurns.map((turn) => turn.content.replaceAll('\u0000', '\uFFFD'));
      // A run's turns are one statement, one round trip and one commit: the answer waits for
      // this (issue 13: seven round trips here cost the Cloud path more than everything else).
      const appended = await pool.query({
        name: 'conversation-append',
        text: appendToLiveSession,
        values: [
          agent,
          session,
          newTurns.length,
          now,
          expiresAt,
          roles,
          contents,
          expiredSessionsPerAppend,
          new Date(Date.now() + timeouts.queryMs),
        ],
      });
      if (appended.rowCount === newTurns.length) return;
      // The session has expired (it starts afresh, numbered from 0 and without its summary), or the
      // database clock runs more than queryMs ahead of ours.
      await appendToExpiredSession({ agent, session, roles, contents, now, expiresAt });
      await deleteExpiredSessions(now);
    },

    async summary(agent, session) {
      const { rows } = await pool.query<{ summary_text: string; summary_covered_turns: number }>(
        `SELECT s.summary_text, s.summary_covered_turns FROM ${sessions} s
          WHERE s.agent = $1 AND s.session_id = $2 AND ${isLive} AND s.summary_text IS NOT NULL`,
        [agent, session, clock()],
      );
      const row = rows[0];
      return row && ({ text: row.summary_text, coveredTurns: row.summary_covered_turns } satisfies SessionSummary);
    },

    async saveSummary(agent, session, summary) {
      await pool.query(
        `INSERT INTO ${sessions} (agent, session_id, last_activity_at, summary_text, summary_covered_turns)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (agent, session_id)
         DO UPDATE SET summary_text = EXCLUDED.summary_text, summary_covered_turns = EXCLUDED.summary_covered_turns`,
        [agent, session, clock(), summary.text.replaceAll('\u0000', '\uFFFD'), summary.coveredTurns],
      );
    },

    async clear(agent, session) {
      const { rows } = await pool.query<{ was_live: boolean }>(
        `DELETE FROM ${sessions} s WHERE s.agent = $1 AND s.session_id = $2 RETURNING ${isLive} AS was_live`,
        [agent, session, clock()],
      );
      return rows[0]?.was_live ?? false;
    },

    async close() {
      if (isClosed) return;
      isClosed = true;
      await pool.end();
    },
  };
}

/**
 * pg-pool hears a client's errors only while it is idle in the pool. A checked-out client whose
 * server goes away between two statements (PostgreSQL killed or restarted) would raise an
 * uncaught 'error' and stop the runtime; its next statement fails instead, and says why.
 */
function listenWhileCheckedOut(client: pg.PoolClient): () => void {
  const ignore = () => undefined;
  client.on('error', ignore);
  return () => client.off('error', ignore);
}

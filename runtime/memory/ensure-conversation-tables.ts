import pg from 'pg';
import type { Logger } from 'pino';

/** Qualified, quoted table names in `schema`: safe to put in SQL whatever the schema is called. */
export function conversationTableNames(schema: string) {
  const quotedSchema = pg.escapeIdentifier(schema);
  return {
    schema: quotedSchema,
    sessions: `${quotedSchema}.conversation_sessions`,
    turns: `${quotedSchema}.conversation_turns`,
  };
}

/**
 * Creates the schema (when missing) and the conversation tables (when missing). Replicas may start
 * together, and concurrent CREATE ... IF NOT EXISTS can still collide in the catalog, so creation
 * runs under a transaction-scoped advisory lock named after the schema.
 */
export async function ensureConversationTables(deps: { client: pg.ClientBase; schema: string; log: Logger }) {
  const { client, schema, log } = deps;
  const names = conversationTableNames(schema);
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
      `astromesh.conversation-tables.${schema}`,
    ]);
    // CREATE SCHEMA checks the database-level CREATE privilege even when the schema exists, and a
    // per-org role (DESIGN.md, decision 9) usually lacks it: only create what is really missing.
    const existing = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (existing.rowCount === 0) await client.query(`CREATE SCHEMA IF NOT EXISTS ${names.schema}`);
    await client.query(`
      CREATE TABLE IF NOT EXISTS ${names.sessions} (
        agent text NOT NULL,
        session_id text NOT NULL,
        next_seq integer NOT NULL DEFAULT 0,
        summary_text text,
        summary_covered_turns integer,
        last_activity_at timestamptz NOT NULL,
        expires_at timestamptz,
        PRIMARY KEY (agent, session_id)
      )`);
    await client.query(`
      CREATE INDEX IF NOT EXISTS conversation_sessions_expires_at
        ON ${names.sessions} (expires_at) WHERE expires_at IS NOT NULL`);
    await client.query(`
      CREATE TABLE IF NOT EXISTS ${names.turns} (
        agent text NOT NULL,
        session_id text NOT NULL,
        seq integer NOT NULL,
        role text NOT NULL CHECK (role IN ('user', 'assistant')),
        content text NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (agent, session_id, seq),
        FOREIGN KEY (agent, session_id) REFERENCES ${names.sessions} (agent, session_id) ON DELETE CASCADE
      )`);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
  log.debug({ schema }, 'conversation tables ready');
}

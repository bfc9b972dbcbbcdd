export interface Turn {
  role: 'user' | 'assistant';
  content: string;
}

export interface StoredTurn extends Turn {
  createdAt: Date;
}

export interface SessionSummary {
  text: string;
  /** How many of the oldest turns the summary replaces. */
  coveredTurns: number;
}

/**
 * Where conversations live, per (agent, session). Implementations: in-process (default) and
 * PostgreSQL (survives restarts, shared by replicas). `ttlSeconds`, when given, expires a
 * session that long after its last turn.
 */
export interface ConversationStore {
  history(agent: string, session: string): Promise<StoredTurn[]>;
  append(agent: string, session: string, turns: Turn[], options?: { ttlSeconds?: number }): Promise<void>;
  summary(agent: string, session: string): Promise<SessionSummary | undefined>;
  saveSummary(agent: string, session: string, summary: SessionSummary): Promise<void>;
  /** Removes the session's turns and summary; false when there was nothing to remove. */
  clear(agent: string, session: string): Promise<boolean>;
  close(): Promise<void>;
}

import type { ChatMessage } from '../router/model-types.ts';

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
  /** Oldest first; with `limit`, only the newest `limit` turns (still oldest first). */
  history(agent: string, session: string, options?: { limit?: number }): Promise<StoredTurn[]>;
  append(agent: string, session: string, turns: Turn[], options?: { ttlSeconds?: number }): Promise<void>;
  summary(agent: string, session: string): Promise<SessionSummary | undefined>;
  saveSummary(agent: string, session: string, summary: SessionSummary): Promise<void>;
  /** Removes the session's turns and summary; false when there was nothing to remove. */
  clear(agent: string, session: string): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * The memory a strategy recalls before a run, in two renderings of the same content: as chat
 * messages (to put between the system prompt and the new user message) and as prose (what the
 * system prompt's {{ memory }} renders). An engine uses one of them, never both, or the model
 * reads the conversation twice.
 */
export interface MemoryRecall {
  messages: ChatMessage[];
  text: string;
}

export interface SummarizeInput {
  previousSummary: string | undefined;
  /** The turns to fold into the summary, oldest first. */
  turns: Turn[];
}

/** Writes a new summary from the previous one and older turns; the engine implements it with a model call. */
export type Summarize = (input: SummarizeInput, signal: AbortSignal) => Promise<string>;

/** One way of choosing what a session remembers: `sliding_window`, `summary` or `token_budget`. */
export interface ConversationStrategy {
  recall(agent: string, session: string): Promise<MemoryRecall>;
  remember(agent: string, session: string, turns: Turn[], signal: AbortSignal): Promise<void>;
}

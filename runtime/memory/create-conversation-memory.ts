import type { MemorySpec } from '../config/agent-schema.ts';
import type {
  ConversationStore,
  ConversationStrategy,
  MemoryRecall,
  StoredTurn,
  Summarize,
  Turn,
} from './memory-types.ts';
import { createSlidingWindowStrategy } from './sliding-window-strategy.ts';
import { createSummaryStrategy } from './summary-strategy.ts';
import { createTokenBudgetStrategy } from './token-budget-strategy.ts';

export type ConversationalMemoryConfig = MemorySpec['conversational'];

export interface ConversationMemory {
  /** The session's memory, to put before the new user message (messages) or into {{ memory }} (text). */
  recall(agent: string, session: string): Promise<MemoryRecall>;
  /**
   * Stores a run's turns; under the summary strategy it may also call `summarize`, with `signal`.
   * A summary that fails does not fail this call when the memory was given `onSummaryFailed`.
   */
  remember(agent: string, session: string, turns: Turn[], signal: AbortSignal): Promise<void>;
  /** Every stored turn of the session, oldest first (GET /v1/memory/{agent}/history/{session}). */
  history(agent: string, session: string): Promise<StoredTurn[]>;
  /** False when the session had nothing to clear. */
  clear(agent: string, session: string): Promise<boolean>;
}

const defaults = { windowSize: 50, summaryMaxTurns: 20, maxTokens: 2000 };

/** Marks a failure of `summarize`, as opposed to one of the store. */
class SummaryFailed extends Error {
  override name = 'SummaryFailed';
}

/**
 * An agent's conversational memory: the strategy its `spec.memory.conversational` names, over a
 * store the engine chose from `backend`. With no config it is a 50-message sliding window.
 */
export function createConversationMemory(deps: {
  store: ConversationStore;
  config: ConversationalMemoryConfig;
  summarize: Summarize;
  /**
   * Told when summarising fails; remember() then succeeds anyway. The turns are stored before
   * summarising and the next remember() tries again, so a run whose answer is written must not
   * fail, nor every later run of the session, because the summarizer model is down.
   */
  onSummaryFailed?: (err: unknown, session: { agent: string; session: string }) => void;
}): ConversationMemory {
  const { store, onSummaryFailed } = deps;
  const summarize: Summarize = async (input, signal) => {
    try {
      return await deps.summarize(input, signal);
    } catch (err) {
      throw new SummaryFailed('summarising the conversation failed', { cause: err });
    }
  };
  const config = deps.config ?? {};
  const ttlSeconds = config.ttl;
  const strategy: ConversationStrategy = (() => {
    switch (config.strategy ?? 'sliding_window') {
      case 'sliding_window':
        return createSlidingWindowStrategy({
          store,
          windowSize: config.window_size ?? config.max_turns ?? defaults.windowSize,
          ttlSeconds,
        });
      case 'summary':
        return createSummaryStrategy({
          store,
          maxTurns: config.max_turns ?? defaults.summaryMaxTurns,
          summarize,
          ttlSeconds,
        });
      case 'token_budget':
        return createTokenBudgetStrategy({ store, maxTokens: config.max_tokens ?? defaults.maxTokens, ttlSeconds });
    }
  })();

  return {
    recall: (agent, session) => strategy.recall(agent, session),
    async remember(agent, session, turns, signal) {
      if (turns.length === 0) return;
      try {
        await strategy.remember(agent, session, turns, signal);
      } catch (err) {
        if (!(err instanceof SummaryFailed)) throw err;
        if (!onSummaryFailed) throw err.cause;
        onSummaryFailed(err.cause, { agent, session });
      }
    },
    history: (agent, session) => store.history(agent, session),
    clear: (agent, session) => store.clear(agent, session),
  };
}

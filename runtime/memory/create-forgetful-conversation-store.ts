import type { ConversationStore } from './memory-types.ts';

/**
 * A store that keeps nothing: every run starts a new conversation. Upstream runs an agent this way
 * when its conversational memory cannot be built (a redis backend without connection.url), warning
 * instead of refusing the agent; we do the same where that is the only choice left.
 */
export function createForgetfulConversationStore(): ConversationStore {
  return {
    history: async () => [],
    append: async () => {},
    summary: async () => undefined,
    saveSummary: async () => {},
    clear: async () => false,
    close: async () => {},
  };
}

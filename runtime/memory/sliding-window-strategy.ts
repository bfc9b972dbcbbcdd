// sliding_window: the model sees the newest `windowSize` messages of the session (a turn is one
// message, user or assistant), nothing older. Cheap and predictable; older context is simply gone.
// The store keeps the whole history (for GET /v1/memory/…/history), only the recall is windowed.

import { buildMemoryRecall } from './build-memory-recall.ts';
import type { ConversationStore, ConversationStrategy } from './memory-types.ts';

export function createSlidingWindowStrategy(deps: {
  store: ConversationStore;
  windowSize: number;
  ttlSeconds: number | undefined;
}): ConversationStrategy {
  const { store, windowSize, ttlSeconds } = deps;
  return {
    async recall(agent, session) {
      return buildMemoryRecall({ turns: await store.history(agent, session, { limit: windowSize }) });
    },
    async remember(agent, session, turns) {
      await store.append(agent, session, turns, { ttlSeconds });
    },
  };
}

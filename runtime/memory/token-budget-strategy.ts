// token_budget: the model sees the newest messages whose estimated size fits `maxTokens`, counted
// ceil(characters / 4) per message (at least 1, so an empty message is not free and the newest
// `maxTokens` messages are always enough to read). Selection walks back from the newest message
// and stops at the first that does not fit: skipping it to fit an older, smaller one would leave
// a hole in the conversation. The budget is a hard cap, so a newest message that alone exceeds it
// is not recalled at all (nor anything older): a prompt never grows past what the agent allowed.

import { buildMemoryRecall } from './build-memory-recall.ts';
import type { ConversationStore, ConversationStrategy, StoredTurn } from './memory-types.ts';

const estimateMessageTokens = (content: string) => Math.max(1, Math.ceil(content.length / 4));

export function createTokenBudgetStrategy(deps: {
  store: ConversationStore;
  maxTokens: number;
  ttlSeconds: number | undefined;
}): ConversationStrategy {
  const { store, maxTokens, ttlSeconds } = deps;
  return {
    async recall(agent, session) {
      const newest = await store.history(agent, session, { limit: maxTokens });
      const kept: StoredTurn[] = [];
      let usedTokens = 0;
      for (let index = newest.length - 1; index >= 0; index--) {
        const turn = newest[index] as StoredTurn;
        usedTokens += estimateMessageTokens(turn.content);
        if (usedTokens > maxTokens) break;
        kept.unshift(turn);
      }
      return buildMemoryRecall({ turns: kept });
    },
    async remember(agent, session, turns) {
      await store.append(agent, session, turns, { ttlSeconds });
    },
  };
}

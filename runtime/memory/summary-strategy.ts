// summary: the model sees a model-written summary of the older messages plus the messages after
// it. The last `recentMessages` (5) are never summarised. Once more than `maxTurns` unsummarised
// messages precede those 5, they are folded, with the previous summary, into a new summary that
// records how many of the oldest messages it covers. So the recall is the summary plus between 5
// and maxTurns + 5 messages, and the model is called once every maxTurns messages, not every turn.
// Turns are stored before summarising, so a failed or aborted summary loses nothing: the next
// remember() tries again.

import { buildMemoryRecall } from './build-memory-recall.ts';
import type { ConversationStore, ConversationStrategy, Summarize } from './memory-types.ts';

const recentMessages = 5;

export function createSummaryStrategy(deps: {
  store: ConversationStore;
  maxTurns: number;
  summarize: Summarize;
  ttlSeconds: number | undefined;
}): ConversationStrategy {
  const { store, maxTurns, summarize, ttlSeconds } = deps;

  async function readSession(agent: string, session: string) {
    const [history, summary] = await Promise.all([store.history(agent, session), store.summary(agent, session)]);
    const coveredTurns = Math.min(summary?.coveredTurns ?? 0, history.length);
    return { history, summary, coveredTurns };
  }

  return {
    async recall(agent, session) {
      const { history, summary, coveredTurns } = await readSession(agent, session);
      // Bounded even if summarising keeps failing: never more than a full batch plus the recent ones.
      const unsummarised = history.slice(coveredTurns).slice(-(maxTurns + recentMessages));
      return buildMemoryRecall({ summary: summary?.text, turns: unsummarised });
    },

    async remember(agent, session, turns, signal) {
      await store.append(agent, session, turns, { ttlSeconds });
      const { history, summary, coveredTurns } = await readSession(agent, session);
      const recentStart = history.length - recentMessages;
      if (recentStart - coveredTurns <= maxTurns) return;
      const text = await summarize(
        {
          previousSummary: summary?.text,
          turns: history.slice(coveredTurns, recentStart).map((turn) => ({ role: turn.role, content: turn.content })),
        },
        signal,
      );
      await store.saveSummary(agent, session, { text, coveredTurns: recentStart });
    },
  };
}

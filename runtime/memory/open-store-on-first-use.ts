import type { ConversationStore } from './memory-types.ts';

/**
 * A conversation store opened by `open` the first time it is used. It lets a backend's client
 * library (redis: some 400 modules) load only in runtimes with an agent that uses it, instead
 * of in every org's runtime at start (issue 13: idle memory per org).
 */
export function openStoreOnFirstUse(open: () => Promise<ConversationStore>): ConversationStore {
  let opened: Promise<ConversationStore> | undefined;
  const store = () => {
    opened ??= open();
    return opened;
  };
  return {
    history: async (agent, session, options) => (await store()).history(agent, session, options),
    append: async (agent, session, turns, options) => (await store()).append(agent, session, turns, options),
    summary: async (agent, session) => (await store()).summary(agent, session),
    saveSummary: async (agent, session, summary) => (await store()).saveSummary(agent, session, summary),
    clear: async (agent, session) => (await store()).clear(agent, session),
    async close() {
      if (opened) await (await opened).close();
    },
  };
}

import { describe, expect, it } from 'vitest';
import { createConversationMemory } from './create-conversation-memory.ts';
import { createInProcessConversationStore } from './create-in-process-conversation-store.ts';
import type { Summarize, Turn } from './memory-types.ts';
import { aClock } from './test-support/a-clock.ts';

const noSignal = new AbortController().signal;
const messages = (count: number): Turn[] =>
  Array.from({ length: count }, (_, index) => ({
    role: index % 2 === 0 ? 'user' : 'assistant',
    content: `m${index + 1}`,
  }));
const neverSummarize: Summarize = async () => {
  throw new Error('this strategy must not summarise');
};
const summarizeAsCount: Summarize = async (input) => `${input.turns.length} earlier messages`;

describe('createConversationMemory', () => {
  it('is a 50-message sliding window when the agent configures nothing', async () => {
    const memory = createConversationMemory({
      store: createInProcessConversationStore(),
      config: undefined,
      summarize: neverSummarize,
    });
    await memory.remember('acme__bot', 's1', messages(60), noSignal);

    const recall = await memory.recall('acme__bot', 's1');

    expect(recall.messages).toHaveLength(50);
    expect(recall.messages[0]?.content).toBe('m11');
  });

  it('takes the sliding window from window_size, else from max_turns', async () => {
    const store = createInProcessConversationStore();
    const byWindow = createConversationMemory({
      store,
      config: { strategy: 'sliding_window', window_size: 2, max_turns: 4 },
      summarize: neverSummarize,
    });
    const byMaxTurns = createConversationMemory({ store, config: { max_turns: 4 }, summarize: neverSummarize });
    await byWindow.remember('acme__bot', 's1', messages(10), noSignal);

    expect((await byWindow.recall('acme__bot', 's1')).messages).toHaveLength(2);
    expect((await byMaxTurns.recall('acme__bot', 's1')).messages).toHaveLength(4);
  });

  it('summarises after 20 older messages by default under the summary strategy', async () => {
    const memory = createConversationMemory({
      store: createInProcessConversationStore(),
      config: { strategy: 'summary' },
      summarize: summarizeAsCount,
    });

    await memory.remember('acme__bot', 's1', messages(25), noSignal);
    const withoutSummary = await memory.recall('acme__bot', 's1');
    await memory.remember('acme__bot', 's1', messages(1), noSignal);
    const withSummary = await memory.recall('acme__bot', 's1');

    expect(withoutSummary.messages).toHaveLength(25);
    expect(withSummary.messages).toHaveLength(6);
    expect(withSummary.messages[0]).toEqual({
      role: 'system',
      content: 'Summary of the earlier conversation:\n21 earlier messages',
    });
  });

  it('fits 2000 estimated tokens by default under the token_budget strategy', async () => {
    const memory = createConversationMemory({
      store: createInProcessConversationStore(),
      config: { strategy: 'token_budget' },
      summarize: neverSummarize,
    });
    const thousandTokens = 'x'.repeat(4000);
    await memory.remember(
      'acme__bot',
      's1',
      [
        { role: 'user', content: thousandTokens },
        { role: 'assistant', content: thousandTokens },
        { role: 'user', content: thousandTokens },
      ],
      noSignal,
    );

    expect((await memory.recall('acme__bot', 's1')).messages).toHaveLength(2);
  });

  it("expires a session after the agent's ttl", async () => {
    const clock = aClock();
    const memory = createConversationMemory({
      store: createInProcessConversationStore({ clock: clock.now }),
      config: { ttl: 3600 },
      summarize: neverSummarize,
    });
    await memory.remember('acme__bot', 's1', messages(2), noSignal);

    clock.advanceSeconds(3600);

    expect(await memory.history('acme__bot', 's1')).toEqual([]);
  });

  it('returns the full history and clears it', async () => {
    const memory = createConversationMemory({
      store: createInProcessConversationStore(),
      config: { window_size: 2 },
      summarize: neverSummarize,
    });
    await memory.remember('acme__bot', 's1', messages(4), noSignal);

    const history = await memory.history('acme__bot', 's1');
    const cleared = await memory.clear('acme__bot', 's1');

    expect(history.map((turn) => turn.content)).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(cleared).toBe(true);
    expect(await memory.recall('acme__bot', 's1')).toEqual({ messages: [], text: '' });
    expect(await memory.clear('acme__bot', 's1')).toBe(false);
  });

  it('stores nothing for a run with no turns', async () => {
    const store = createInProcessConversationStore();
    const memory = createConversationMemory({ store, config: {}, summarize: neverSummarize });

    await memory.remember('acme__bot', 's1', [], noSignal);

    expect(await store.clear('acme__bot', 's1')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { createInProcessConversationStore } from './create-in-process-conversation-store.ts';
import type { Turn } from './memory-types.ts';
import { createSlidingWindowStrategy } from './sliding-window-strategy.ts';
import { aClock } from './test-support/a-clock.ts';

const messages = (count: number): Turn[] =>
  Array.from({ length: count }, (_, index) => ({
    role: index % 2 === 0 ? 'user' : 'assistant',
    content: `m${index + 1}`,
  }));
const noSignal = new AbortController().signal;

describe('the sliding_window strategy', () => {
  it('recalls the newest window_size messages, oldest first', async () => {
    const store = createInProcessConversationStore();
    const memory = createSlidingWindowStrategy({ store, windowSize: 3, ttlSeconds: undefined });
    await memory.remember('acme__bot', 's1', messages(6), noSignal);

    const recall = await memory.recall('acme__bot', 's1');

    expect(recall.messages).toEqual([
      { role: 'assistant', content: 'm4' },
      { role: 'user', content: 'm5' },
      { role: 'assistant', content: 'm6' },
    ]);
    expect(recall.text).toBe('Assistant: m4\nUser: m5\nAssistant: m6');
  });

  it('recalls the whole conversation while it is shorter than the window', async () => {
    const store = createInProcessConversationStore();
    const memory = createSlidingWindowStrategy({ store, windowSize: 50, ttlSeconds: undefined });
    await memory.remember('acme__bot', 's1', messages(4), noSignal);

    const recall = await memory.recall('acme__bot', 's1');

    expect(recall.messages.map((message) => message.content)).toEqual(['m1', 'm2', 'm3', 'm4']);
  });

  it('keeps the whole history in the store', async () => {
    const store = createInProcessConversationStore();
    const memory = createSlidingWindowStrategy({ store, windowSize: 2, ttlSeconds: undefined });

    await memory.remember('acme__bot', 's1', messages(6), noSignal);

    expect(await store.history('acme__bot', 's1')).toHaveLength(6);
  });

  it('forgets the session ttl seconds after its last message', async () => {
    const clock = aClock();
    const store = createInProcessConversationStore({ clock: clock.now });
    const memory = createSlidingWindowStrategy({ store, windowSize: 50, ttlSeconds: 600 });
    await memory.remember('acme__bot', 's1', messages(2), noSignal);

    clock.advanceSeconds(600);

    expect(await memory.recall('acme__bot', 's1')).toEqual({ messages: [], text: '' });
  });
});

import { describe, expect, it } from 'vitest';
import { createInProcessConversationStore } from './create-in-process-conversation-store.ts';
import { createTokenBudgetStrategy } from './token-budget-strategy.ts';

const noSignal = new AbortController().signal;
/** A message of `tokens` estimated tokens (4 characters each). */
const sized = (label: string, tokens: number) => label.padEnd(tokens * 4, '.');

describe('the token_budget strategy', () => {
  it('recalls the newest messages that fit the budget', async () => {
    const store = createInProcessConversationStore();
    const memory = createTokenBudgetStrategy({ store, maxTokens: 10, ttlSeconds: undefined });
    await memory.remember(
      'acme__bot',
      's1',
      [
        { role: 'user', content: sized('a', 4) },
        { role: 'assistant', content: sized('b', 4) },
        { role: 'user', content: sized('c', 3) },
        { role: 'assistant', content: sized('d', 3) },
      ],
      noSignal,
    );

    const recall = await memory.recall('acme__bot', 's1');

    expect(recall.messages.map((message) => message.content[0])).toEqual(['b', 'c', 'd']);
  });

  it('estimates a message at ceil(characters / 4) tokens', async () => {
    const store = createInProcessConversationStore();
    const memory = createTokenBudgetStrategy({ store, maxTokens: 2, ttlSeconds: undefined });
    await memory.remember(
      'acme__bot',
      's1',
      [
        { role: 'user', content: 'four' },
        { role: 'assistant', content: 'five!' },
      ],
      noSignal,
    );

    const recall = await memory.recall('acme__bot', 's1');

    expect(recall.messages).toEqual([{ role: 'assistant', content: 'five!' }]);
  });

  it('stops at the first message that does not fit rather than leave a hole', async () => {
    const store = createInProcessConversationStore();
    const memory = createTokenBudgetStrategy({ store, maxTokens: 10, ttlSeconds: undefined });
    await memory.remember(
      'acme__bot',
      's1',
      [
        { role: 'user', content: sized('small', 2) },
        { role: 'assistant', content: sized('large', 9) },
        { role: 'user', content: sized('newest', 2) },
      ],
      noSignal,
    );

    const recall = await memory.recall('acme__bot', 's1');

    expect(recall.messages.map((message) => message.content.replaceAll('.', ''))).toEqual(['newest']);
  });

  it('recalls nothing when the newest message alone exceeds the budget', async () => {
    const store = createInProcessConversationStore();
    const memory = createTokenBudgetStrategy({ store, maxTokens: 5, ttlSeconds: undefined });
    await memory.remember(
      'acme__bot',
      's1',
      [
        { role: 'user', content: 'short' },
        { role: 'assistant', content: sized('long', 6) },
      ],
      noSignal,
    );

    expect(await memory.recall('acme__bot', 's1')).toEqual({ messages: [], text: '' });
  });

  it('counts an empty message as one token', async () => {
    const store = createInProcessConversationStore();
    const memory = createTokenBudgetStrategy({ store, maxTokens: 2, ttlSeconds: undefined });
    await memory.remember(
      'acme__bot',
      's1',
      [
        { role: 'user', content: '' },
        { role: 'assistant', content: '' },
        { role: 'user', content: '' },
      ],
      noSignal,
    );

    expect((await memory.recall('acme__bot', 's1')).messages).toHaveLength(2);
  });
});

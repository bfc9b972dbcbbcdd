import { describe, expect, it } from 'vitest';
import { createInProcessConversationStore } from './create-in-process-conversation-store.ts';
import { aClock } from './test-support/a-clock.ts';
import { describeConversationStoreContract } from './test-support/conversation-store-contract.ts';

describeConversationStoreContract('in-process', async (clock) =>
  createInProcessConversationStore({ clock: clock.now }),
);

describe('createInProcessConversationStore', () => {
  it('drops the least recently used session past maxSessions', async () => {
    const store = createInProcessConversationStore({ maxSessions: 2, clock: aClock().now });
    await store.append('acme__bot', 'a', [{ role: 'user', content: 'a' }]);
    await store.append('acme__bot', 'b', [{ role: 'user', content: 'b' }]);
    await store.history('acme__bot', 'a');

    await store.append('acme__bot', 'c', [{ role: 'user', content: 'c' }]);

    expect(await store.history('acme__bot', 'a')).toHaveLength(1);
    expect(await store.history('acme__bot', 'b')).toEqual([]);
    expect(await store.history('acme__bot', 'c')).toHaveLength(1);
  });

  it('drops the oldest turns past maxTurnsPerSession and shrinks what the summary covers', async () => {
    const store = createInProcessConversationStore({ maxTurnsPerSession: 3, clock: aClock().now });
    await store.append('acme__bot', 's1', [
      { role: 'user', content: '1' },
      { role: 'assistant', content: '2' },
    ]);
    await store.saveSummary('acme__bot', 's1', { text: 'one and two', coveredTurns: 2 });

    await store.append('acme__bot', 's1', [
      { role: 'user', content: '3' },
      { role: 'assistant', content: '4' },
    ]);

    expect((await store.history('acme__bot', 's1')).map((turn) => turn.content)).toEqual(['2', '3', '4']);
    expect(await store.summary('acme__bot', 's1')).toEqual({ text: 'one and two', coveredTurns: 1 });
  });

  it('hands out copies, so a caller cannot change what is stored', async () => {
    const store = createInProcessConversationStore({ clock: aClock().now });
    await store.append('acme__bot', 's1', [{ role: 'user', content: 'Hi' }]);

    const [turn] = await store.history('acme__bot', 's1');
    if (turn) turn.content = 'changed';

    expect((await store.history('acme__bot', 's1'))[0]?.content).toBe('Hi');
  });

  it('forgets everything on close', async () => {
    const store = createInProcessConversationStore({ clock: aClock().now });
    await store.append('acme__bot', 's1', [{ role: 'user', content: 'Hi' }]);

    await store.close();

    expect(await store.history('acme__bot', 's1')).toEqual([]);
  });
});

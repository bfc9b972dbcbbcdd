import { afterEach, describe, expect, it } from 'vitest';
import type { ConversationStore } from '../memory-types.ts';
import { aClock, type FakeClock } from './a-clock.ts';

/**
 * The behaviour every ConversationStore promises, run against each backend by its own test file
 * so the in-process default and PostgreSQL cannot drift apart.
 */
export function describeConversationStoreContract(
  backend: string,
  openStore: (clock: FakeClock) => Promise<ConversationStore>,
): void {
  describe(`the ${backend} conversation store`, () => {
    const opened: ConversationStore[] = [];
    const open = async (clock = aClock()) => {
      const store = await openStore(clock);
      opened.push(store);
      return store;
    };

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });

    it('has no history for a session it has never seen', async () => {
      const store = await open();

      expect(await store.history('acme__bot', 'nobody')).toEqual([]);
      expect(await store.summary('acme__bot', 'nobody')).toBeUndefined();
    });

    it('returns turns oldest first, stamped with the clock', async () => {
      const clock = aClock();
      const store = await open(clock);

      await store.append('acme__bot', 's1', [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
      ]);
      clock.advanceSeconds(5);
      await store.append('acme__bot', 's1', [{ role: 'user', content: 'Still there?' }]);

      expect(await store.history('acme__bot', 's1')).toEqual([
        { role: 'user', content: 'Hi', createdAt: new Date('2026-03-01T10:00:00.000Z') },
        { role: 'assistant', content: 'Hello!', createdAt: new Date('2026-03-01T10:00:00.000Z') },
        { role: 'user', content: 'Still there?', createdAt: new Date('2026-03-01T10:00:05.000Z') },
      ]);
    });

    it('keeps sessions and agents apart', async () => {
      const store = await open();

      await store.append('acme__bot', 's1', [{ role: 'user', content: 'one' }]);
      await store.append('acme__bot', 's2', [{ role: 'user', content: 'two' }]);
      await store.append('acme__other', 's1', [{ role: 'user', content: 'three' }]);

      expect((await store.history('acme__bot', 's1')).map((turn) => turn.content)).toEqual(['one']);
      expect((await store.history('acme__bot', 's2')).map((turn) => turn.content)).toEqual(['two']);
      expect((await store.history('acme__other', 's1')).map((turn) => turn.content)).toEqual(['three']);
    });

    it('returns only the newest turns when given a limit', async () => {
      const store = await open();
      await store.append(
        'acme__bot',
        's1',
        ['a', 'b', 'c', 'd'].map((content) => ({ role: 'user' as const, content })),
      );

      const newest = await store.history('acme__bot', 's1', { limit: 2 });

      expect(newest.map((turn) => turn.content)).toEqual(['c', 'd']);
    });

    it('saves a summary and replaces it', async () => {
      const store = await open();
      await store.append('acme__bot', 's1', [{ role: 'user', content: 'Hi' }]);

      await store.saveSummary('acme__bot', 's1', { text: 'first', coveredTurns: 1 });
      await store.saveSummary('acme__bot', 's1', { text: 'second', coveredTurns: 1 });

      expect(await store.summary('acme__bot', 's1')).toEqual({ text: 'second', coveredTurns: 1 });
    });

    it('clears a session: its turns and its summary', async () => {
      const store = await open();
      await store.append('acme__bot', 's1', [{ role: 'user', content: 'Hi' }]);
      await store.saveSummary('acme__bot', 's1', { text: 'greeting', coveredTurns: 1 });

      const cleared = await store.clear('acme__bot', 's1');

      expect(cleared).toBe(true);
      expect(await store.history('acme__bot', 's1')).toEqual([]);
      expect(await store.summary('acme__bot', 's1')).toBeUndefined();
    });

    it('reports false when clearing a session that has nothing', async () => {
      const store = await open();

      expect(await store.clear('acme__bot', 'nobody')).toBe(false);
    });

    it('expires a session ttl seconds after its last turn', async () => {
      const clock = aClock();
      const store = await open(clock);
      await store.append('acme__bot', 's1', [{ role: 'user', content: 'Hi' }], { ttlSeconds: 60 });
      await store.saveSummary('acme__bot', 's1', { text: 'greeting', coveredTurns: 1 });

      clock.advanceSeconds(59);
      const beforeExpiry = await store.history('acme__bot', 's1');
      clock.advanceSeconds(1);

      expect(beforeExpiry).toHaveLength(1);
      expect(await store.history('acme__bot', 's1')).toEqual([]);
      expect(await store.summary('acme__bot', 's1')).toBeUndefined();
      expect(await store.clear('acme__bot', 's1')).toBe(false);
    });

    it('counts the ttl from the latest turn', async () => {
      const clock = aClock();
      const store = await open(clock);
      await store.append('acme__bot', 's1', [{ role: 'user', content: 'Hi' }], { ttlSeconds: 60 });
      clock.advanceSeconds(50);
      await store.append('acme__bot', 's1', [{ role: 'assistant', content: 'Hello' }], { ttlSeconds: 60 });

      clock.advanceSeconds(50);

      expect(await store.history('acme__bot', 's1')).toHaveLength(2);
    });

    it('starts afresh when a turn arrives after the session expired', async () => {
      const clock = aClock();
      const store = await open(clock);
      await store.append('acme__bot', 's1', [{ role: 'user', content: 'old' }], { ttlSeconds: 60 });
      await store.saveSummary('acme__bot', 's1', { text: 'old summary', coveredTurns: 1 });
      clock.advanceSeconds(61);

      await store.append('acme__bot', 's1', [{ role: 'user', content: 'new' }], { ttlSeconds: 60 });

      expect((await store.history('acme__bot', 's1')).map((turn) => turn.content)).toEqual(['new']);
      expect(await store.summary('acme__bot', 's1')).toBeUndefined();
    });

    it('never expires a session appended without a ttl', async () => {
      const clock = aClock();
      const store = await open(clock);
      await store.append('acme__bot', 's1', [{ role: 'user', content: 'Hi' }]);

      clock.advanceSeconds(365 * 24 * 3600);

      expect(await store.history('acme__bot', 's1')).toHaveLength(1);
    });
  });
}

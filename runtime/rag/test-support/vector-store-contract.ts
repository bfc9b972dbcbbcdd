import { afterEach, describe, expect, it } from 'vitest';
import type { VectorRecord, VectorStore } from '../vector-store.ts';

/** A record whose embedding is `vector`; its text and metadata name it. */
export function aRecord(id: string, vector: number[], metadata: Record<string, unknown> = {}): VectorRecord {
  return { id, text: `text of ${id}`, metadata: { source: id, ...metadata }, embedding: vector };
}

/**
 * The behaviour every VectorStore promises, run against each backend by its own test file, so
 * the embedded store and the server-backed ones (pgvector, Chroma) cannot drift apart.
 */
export function describeVectorStoreContract(backend: string, openStore: () => Promise<VectorStore>): void {
  describe(`the ${backend} vector store`, () => {
    const opened: VectorStore[] = [];
    const open = async () => {
      const store = await openStore();
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    });

    it('answers an unknown collection with no results and a count of 0', async () => {
      const store = await open();

      expect(await store.query('nothing-here', [1, 0, 0], { topK: 5 })).toEqual([]);
      expect(await store.count('nothing-here')).toBe(0);
    });

    it('ranks by cosine similarity, best first, with text, metadata and score', async () => {
      const store = await open();
      await store.upsert('docs', [
        aRecord('east', [1, 0, 0], { page: 1, tags: ['a'] }),
        aRecord('north-east', [1, 1, 0]),
        aRecord('north', [0, 1, 0]),
        aRecord('west', [-1, 0, 0]),
      ]);

      const results = await store.query('docs', [2, 0, 0], { topK: 4 });

      expect(results.map((result) => result.id)).toEqual(['east', 'north-east', 'north', 'west']);
      expect(results[0]).toEqual({
        id: 'east',
        text: 'text of east',
        metadata: { source: 'east', page: 1, tags: ['a'] },
        score: 1,
      });
      expect(results[1]?.score).toBeCloseTo(Math.SQRT1_2, 6);
      expect(results[2]?.score).toBeCloseTo(0, 6);
      expect(results[3]?.score).toBeCloseTo(-1, 6);
    });

    it('returns at most top_k, and only scores at or above score_threshold', async () => {
      const store = await open();
      await store.upsert('docs', [aRecord('a', [1, 0]), aRecord('b', [1, 1]), aRecord('c', [0, 1])]);

      expect((await store.query('docs', [1, 0], { topK: 2 })).map((r) => r.id)).toEqual(['a', 'b']);
      expect((await store.query('docs', [1, 0], { topK: 5, scoreThreshold: 0.7 })).map((r) => r.id)).toEqual([
        'a',
        'b',
      ]);
      expect(await store.query('docs', [1, 0], { topK: 5, scoreThreshold: 1.01 })).toEqual([]);
    });

    it('breaks ties in id order', async () => {
      const store = await open();
      await store.upsert('docs', [aRecord('c', [1, 0]), aRecord('a', [1, 0]), aRecord('b', [1, 0])]);

      expect((await store.query('docs', [1, 0], { topK: 2 })).map((r) => r.id)).toEqual(['a', 'b']);
    });

    it('keeps collections apart', async () => {
      const store = await open();
      await store.upsert('one', [aRecord('x', [1, 0])]);
      await store.upsert('two', [aRecord('y', [1, 0]), aRecord('z', [0, 1])]);

      expect((await store.query('one', [1, 0], { topK: 5 })).map((r) => r.id)).toEqual(['x']);
      expect(await store.count('two')).toBe(2);
      expect(await store.deleteCollection('two')).toBe(2);
      expect(await store.count('two')).toBe(0);
      expect(await store.count('one')).toBe(1);
    });

    it('replaces a record upserted again under its id', async () => {
      const store = await open();
      await store.upsert('docs', [aRecord('a', [1, 0])]);
      await store.upsert('docs', [{ id: 'a', text: 'new text', metadata: { v: 2 }, embedding: [0, 1] }]);

      expect(await store.count('docs')).toBe(1);
      expect(await store.query('docs', [0, 1], { topK: 1 })).toEqual([
        { id: 'a', text: 'new text', metadata: { v: 2 }, score: 1 },
      ]);
    });

    it('sees what was upserted or deleted since its last query', async () => {
      const store = await open();
      await store.upsert('docs', [aRecord('a', [1, 0])]);
      expect((await store.query('docs', [0, 1], { topK: 1 })).map((r) => r.id)).toEqual(['a']);

      await store.upsert('docs', [aRecord('b', [0, 1])]);
      expect((await store.query('docs', [0, 1], { topK: 1 })).map((r) => r.id)).toEqual(['b']);
      await store.deleteCollection('docs');
      expect(await store.query('docs', [0, 1], { topK: 1 })).toEqual([]);
    });

    it('filters on top-level metadata values (strings, numbers, booleans)', async () => {
      const store = await open();
      await store.upsert('memory', [
        aRecord('s1-a', [1, 0], { session_id: 's1', turn: 1, final: true }),
        aRecord('s1-b', [1, 1], { session_id: 's1', turn: 2, final: false }),
        aRecord('s2-a', [1, 0], { session_id: 's2', turn: 1, final: true }),
      ]);

      const ids = async (filter: Record<string, string | number | boolean>) =>
        (await store.query('memory', [1, 0], { topK: 5, filter })).map((r) => r.id);
      expect(await ids({ session_id: 's1' })).toEqual(['s1-a', 's1-b']);
      expect(await ids({ session_id: 's1', turn: 2 })).toEqual(['s1-b']);
      expect(await ids({ final: true })).toEqual(['s1-a', 's2-a']);
      expect(await ids({ session_id: 'nobody' })).toEqual([]);
    });

    it('refuses vectors of another length than the collection holds, writing none of the batch', async () => {
      const store = await open();
      await store.upsert('docs', [aRecord('a', [1, 0, 0])]);

      await expect(store.upsert('docs', [aRecord('b', [1, 0, 0]), aRecord('c', [1, 0])])).rejects.toMatchObject({
        code: 'dimension_mismatch',
      });
      await expect(store.query('docs', [1, 0], { topK: 1 })).rejects.toMatchObject({ code: 'dimension_mismatch' });
      expect(await store.count('docs')).toBe(1);
    });

    it('scores 0 against a zero vector rather than dividing by zero', async () => {
      const store = await open();
      await store.upsert('docs', [aRecord('zero', [0, 0]), aRecord('one', [1, 0])]);

      const results = await store.query('docs', [0, 0], { topK: 2 });

      expect(results.map((r) => r.score)).toEqual([0, 0]);
    });

    it('keeps Unicode text and nested metadata exactly', async () => {
      const store = await open();
      const metadata = { title: 'Ünïcödé 😀', nested: { list: [1, 'two', null] } };
      await store.upsert('docs', [{ id: 'u', text: '第一句。😀 émoji', metadata, embedding: [0.5, 0.25] }]);

      expect(await store.query('docs', [0.5, 0.25], { topK: 1 })).toEqual([
        { id: 'u', text: '第一句。😀 émoji', metadata, score: expect.closeTo(1, 6) },
      ]);
    });
  });
}

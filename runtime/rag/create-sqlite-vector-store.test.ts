import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteVectorStore } from './create-sqlite-vector-store.ts';
import { aRecord, describeVectorStoreContract } from './test-support/vector-store-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'sqlite-vectors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
// Each store gets a file of its own, so tests never see each other's collections.
const aFile = () => join(dir, `vectors-${++files}.sqlite`);

describeVectorStoreContract('SQLite', async () => createSqliteVectorStore({ file: aFile() }));

describe('createSqliteVectorStore', () => {
  it('keeps collections in its file across a close and a reopen (a restart of the runtime)', async () => {
    const file = aFile();
    const first = createSqliteVectorStore({ file });
    await first.upsert('docs', [aRecord('kept', [0.6, 0.8], { page: 3 })]);
    await first.close();

    const second = createSqliteVectorStore({ file });
    const results = await second.query('docs', [0.6, 0.8], { topK: 1 });
    await second.close();

    expect(results).toEqual([
      { id: 'kept', text: 'text of kept', metadata: { source: 'kept', page: 3 }, score: expect.closeTo(1, 6) },
    ]);
  });

  it('sees what another runtime on the same file wrote since its last query', async () => {
    const file = aFile();
    const mine = createSqliteVectorStore({ file });
    const theirs = createSqliteVectorStore({ file });
    await mine.upsert('docs', [aRecord('mine', [1, 0])]);
    expect((await mine.query('docs', [0, 1], { topK: 1 })).map((r) => r.id)).toEqual(['mine']);

    await theirs.upsert('docs', [aRecord('theirs', [0, 1])]);
    const after = await mine.query('docs', [0, 1], { topK: 1 });
    await Promise.all([mine.close(), theirs.close()]);

    expect(after.map((r) => r.id)).toEqual(['theirs']);
  });

  it('creates the folder of its file', async () => {
    const store = createSqliteVectorStore({ file: join(dir, 'nested', 'deeper', 'rag.sqlite') });
    await store.upsert('docs', [aRecord('a', [1])]);

    expect(await store.count('docs')).toBe(1);
    await store.close();
  });
});

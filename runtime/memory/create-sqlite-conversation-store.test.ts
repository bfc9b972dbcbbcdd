import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteConversationStore } from './create-sqlite-conversation-store.ts';
import { aClock } from './test-support/a-clock.ts';
import { describeConversationStoreContract } from './test-support/conversation-store-contract.ts';

const dir = mkdtempSync(join(tmpdir(), 'sqlite-conversations-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
// Each store gets a file of its own, so tests in this file never see each other's rows.
const aFile = () => join(dir, `conversations-${++files}.sqlite`);

describeConversationStoreContract('SQLite', async (clock) =>
  createSqliteConversationStore({ file: aFile(), clock: clock.now }),
);

describe('createSqliteConversationStore', () => {
  it('keeps conversations and summaries in its file across a close and a reopen', async () => {
    const file = aFile();
    const clock = aClock();
    const first = createSqliteConversationStore({ file, clock: clock.now });
    await first.append('acme__bot', 's1', [
      { role: 'user', content: 'My name is Ada.' },
      { role: 'assistant', content: 'Hello Ada!' },
    ]);
    await first.saveSummary('acme__bot', 's1', { text: 'Ada introduced herself.', coveredTurns: 1 });
    await first.close();

    const second = createSqliteConversationStore({ file, clock: clock.now });
    await second.append('acme__bot', 's1', [{ role: 'user', content: 'What is my name?' }]);
    const history = await second.history('acme__bot', 's1');
    const summary = await second.summary('acme__bot', 's1');
    await second.close();

    expect(history.map((turn) => turn.content)).toEqual(['My name is Ada.', 'Hello Ada!', 'What is my name?']);
    expect(summary).toEqual({ text: 'Ada introduced herself.', coveredTurns: 1 });
  });

  it('creates the folder of its file when missing', async () => {
    const file = join(dir, 'nested', 'deeper', 'conversations.sqlite');

    const store = createSqliteConversationStore({ file, clock: aClock().now });
    await store.append('acme__bot', 's1', [{ role: 'user', content: 'Hi' }]);
    await store.close();

    expect(rowsOf(file, 'SELECT content FROM conversation_turns')).toEqual([{ content: 'Hi' }]);
  });

  it('deletes expired sessions from the file as new turns arrive', async () => {
    const file = aFile();
    const clock = aClock();
    const store = createSqliteConversationStore({ file, clock: clock.now });
    await store.append('acme__bot', 'old', [{ role: 'user', content: 'bye' }], { ttlSeconds: 60 });
    clock.advanceSeconds(61);

    await store.append('acme__bot', 'new', [{ role: 'user', content: 'hi' }], { ttlSeconds: 60 });
    await store.close();

    expect(rowsOf(file, 'SELECT session_id FROM conversation_sessions')).toEqual([{ session_id: 'new' }]);
    expect(rowsOf(file, 'SELECT content FROM conversation_turns')).toEqual([{ content: 'hi' }]);
  });

  it('keeps text as it is: NUL, quotes and SQL in a message', async () => {
    const store = createSqliteConversationStore({ file: aFile(), clock: aClock().now });
    const content = "a\u0000b'); DROP TABLE conversation_turns; --";

    await store.append('acme__bot', "s'1", [{ role: 'user', content }]);
    const history = await store.history('acme__bot', "s'1");
    await store.close();

    expect(history.map((turn) => turn.content)).toEqual([content]);
  });

  it('lets two stores on one file see each other, as two runtimes sharing a data directory would', async () => {
    const file = aFile();
    const clock = aClock();
    const writer = createSqliteConversationStore({ file, clock: clock.now });
    const reader = createSqliteConversationStore({ file, clock: clock.now });

    await writer.append('acme__bot', 's1', [{ role: 'user', content: 'Hi' }]);
    const seen = await reader.history('acme__bot', 's1');
    await Promise.all([writer.close(), reader.close()]);

    expect(seen.map((turn) => turn.content)).toEqual(['Hi']);
  });
});

function rowsOf(file: string, sql: string): unknown[] {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return db
      .prepare(sql)
      .all()
      .map((row) => ({ ...row }));
  } finally {
    db.close();
  }
}

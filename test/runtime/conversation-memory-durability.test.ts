import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { fakeReply } from '../fakes/fake-reply.ts';
import { startFakeProvider } from '../fakes/start-fake-provider.ts';
import {
  type AstromeshdProcess,
  spawnAstromeshdWithPostgresMemory,
  writeGreeterWithPostgresMemory,
} from '../support/spawn-astromeshd.ts';
import { createTestDatabase } from '../support/test-database.ts';

// Issue 13 made a run's turns one statement without a transaction around it; the answer must
// still go out only once they are committed, so a runtime killed the moment it answered (no
// graceful stop, nothing flushed on the way out) has lost nothing of that run.
describe('PostgreSQL conversation memory, durable when a run is answered', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function startAstromeshd(dir: string, memoryUrl: string): Promise<{ url: string; process: AstromeshdProcess }> {
    const started = await spawnAstromeshdWithPostgresMemory(dir, memoryUrl);
    cleanups.push(() => started.process.kill());
    return started;
  }

  it('keeps the turns of a run whose runtime is killed right after answering it', async () => {
    const database = await createTestDatabase();
    cleanups.push(() => database.drop());
    const fake = await startFakeProvider('openai', { defaultReply: fakeReply.text('Hello, Ada.') });
    cleanups.push(() => fake.close());
    const dir = writeGreeterWithPostgresMemory(fake.baseUrl, 'astromesh-memory-durability-');
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));

    const first = await startAstromeshd(dir, database.url);
    const answered = await fetch(`${first.url}/v1/agents/greeter/run`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'My name is Ada.', session_id: 'ada' }),
    });
    await answered.arrayBuffer();
    await first.process.kill();

    const second = await startAstromeshd(dir, database.url);
    const history = (await (await fetch(`${second.url}/v1/memory/greeter/history/ada`)).json()) as {
      messages: unknown;
    };

    expect(answered.status).toBe(200);
    expect(first.process.child.signalCode).toBe('SIGKILL');
    expect(history.messages).toEqual([
      { role: 'user', content: 'My name is Ada.' },
      { role: 'assistant', content: 'Hello, Ada.' },
    ]);
  });
});

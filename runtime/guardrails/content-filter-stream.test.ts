import { afterEach, describe, expect, it } from 'vitest';
import type { FakeProvider } from '../../test/fakes/fake-provider.ts';
import { fakeReply } from '../../test/fakes/fake-reply.ts';
import { startFakeProvider } from '../../test/fakes/start-fake-provider.ts';
import { openAgentSocket, type StreamEvent } from '../../test/support/open-agent-socket.ts';
import { startAstromeshdProcess } from '../../test/support/start-astromeshd-process.ts';
import { agentYaml } from '../../test/support/start-test-runtime.ts';
import type { GuardrailRule } from './guardrail-types.ts';

const tokensOf = (events: StreamEvent[]) =>
  events.filter((event) => event.type === 'token').map((event) => event.content as string);

// A content filter over a stream, seen from a client of a real astromeshd process on the fake
// OpenAI provider: the answer arrives as the model writes it, minus what a match could still need.
describe('a streamed answer through a content filter, over the WebSocket of astromeshd', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function aRuntimeWith(output: GuardrailRule[]): Promise<{ openai: FakeProvider; url: string }> {
    const openai = await startFakeProvider('openai');
    cleanups.push(() => openai.close());
    const { url } = await startAstromeshdProcess(
      {
        agents: {
          'assistant.yaml': agentYaml('assistant', {
            model: { primary: { provider: 'openai', model: 'gpt-4o-mini' } },
            guardrails: { output },
          }),
        },
        credentials: { OPENAI_API_KEY: 'sk-content-filter', OPENAI_BASE_URL: openai.baseUrl },
      },
      (cleanup) => cleanups.push(cleanup),
    );
    return { openai, url };
  }

  async function ask(url: string, query: string) {
    const socket = await openAgentSocket(url, { agent: 'assistant' });
    cleanups.push(() => socket.close());
    socket.send({ query });
    return socket;
  }

  it('sends a short answer with literal patterns as several token events, with the matches filtered', async () => {
    const { openai, url } = await aRuntimeWith([
      { type: 'content_filter', blocked_patterns: ['password', 'swordfish'] },
    ]);
    openai.enqueue(fakeReply.text(['The pass', 'word is ', 'sword', 'fish, so', ' keep it ', 'to yourself.']));

    const events = await (await ask(url, 'What is the password?')).untilEnd();

    const tokens = tokensOf(events);
    expect(tokens.length).toBeGreaterThan(3);
    expect(tokens.join('')).toBe('The [FILTERED] is [FILTERED], so keep it to yourself.');
    expect(events.at(-1)).toMatchObject({
      type: 'done',
      response: 'The [FILTERED] is [FILTERED], so keep it to yourself.',
    });
    expect(JSON.stringify(tokens)).not.toMatch(/pass|word|sword|fish/i);
  });

  it('sends the first tokens while the model is still writing, with a bounded regular expression', async () => {
    const { openai, url } = await aRuntimeWith([
      { type: 'content_filter', blocked_patterns: [String.raw`\bcodes?\b`, String.raw`\d{3}`] },
    ]);
    // The fake stops after two deltas and keeps the request open: tokens now come only from them.
    openai.enqueue(fakeReply.text(['The launch code ', 'is not something ', 'I share.'], { stallAfterDeltas: 2 }));
    const socket = await ask(url, 'Tell me the launch code');

    const first = await socket.next();
    const second = await socket.next();

    // \bcodes?\b looks at most 6 characters from where a match starts: 5 are held back, the rest flows.
    expect([first, second]).toEqual([
      { type: 'token', content: 'The launch ' },
      { type: 'token', content: '[FILTERED] is not somet' },
    ]);
    expect(openai.lastRequest.isComplete).toBe(false);
  });

  it('keeps the 256-character window for an unbounded regular expression: a short answer is one token', async () => {
    const { openai, url } = await aRuntimeWith([
      { type: 'content_filter', blocked_patterns: [String.raw`pass\s*word`] },
    ]);
    openai.enqueue(fakeReply.text(['The pass ', 'word is ', 'safe ', 'with me.']));

    const events = await (await ask(url, 'What is the password?')).untilEnd();

    expect(tokensOf(events)).toEqual(['The [FILTERED] is safe with me.']);
  });
});

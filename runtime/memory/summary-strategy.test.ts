import { describe, expect, it } from 'vitest';
import { createInProcessConversationStore } from './create-in-process-conversation-store.ts';
import type { Summarize, SummarizeInput, Turn } from './memory-types.ts';
import { createSummaryStrategy } from './summary-strategy.ts';

const noSignal = new AbortController().signal;
const message = (index: number): Turn => ({ role: index % 2 === 1 ? 'user' : 'assistant', content: `m${index}` });
const messagesFrom = (first: number, last: number) =>
  Array.from({ length: last - first + 1 }, (_, offset) => message(first + offset));

/** A summarizer that records its calls and names the messages it folded. */
function aRecordingSummarizer() {
  const calls: { input: SummarizeInput; signal: AbortSignal }[] = [];
  const summarize: Summarize = async (input, signal) => {
    calls.push({ input, signal });
    const folded = input.turns.map((turn) => turn.content).join(',');
    return input.previousSummary ? `${input.previousSummary}+${folded}` : folded;
  };
  return { calls, summarize };
}

async function rememberOneByOne(
  memory: ReturnType<typeof createSummaryStrategy>,
  turns: Turn[],
  signal = noSignal,
): Promise<void> {
  for (const turn of turns) await memory.remember('acme__bot', 's1', [turn], signal);
}

describe('the summary strategy', () => {
  it('recalls every message and calls no model while max_turns or fewer precede the last 5', async () => {
    const store = createInProcessConversationStore();
    const summarizer = aRecordingSummarizer();
    const memory = createSummaryStrategy({
      store,
      maxTurns: 3,
      summarize: summarizer.summarize,
      ttlSeconds: undefined,
    });

    await rememberOneByOne(memory, messagesFrom(1, 8));
    const recall = await memory.recall('acme__bot', 's1');

    expect(summarizer.calls).toEqual([]);
    expect(recall.messages.map((m) => m.content)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8']);
  });

  it('folds the older messages into a summary once more than max_turns precede the last 5', async () => {
    const store = createInProcessConversationStore();
    const summarizer = aRecordingSummarizer();
    const memory = createSummaryStrategy({
      store,
      maxTurns: 3,
      summarize: summarizer.summarize,
      ttlSeconds: undefined,
    });

    await rememberOneByOne(memory, messagesFrom(1, 9));
    const recall = await memory.recall('acme__bot', 's1');

    expect(summarizer.calls.map((call) => call.input)).toEqual([
      { previousSummary: undefined, turns: messagesFrom(1, 4) },
    ]);
    expect(await store.summary('acme__bot', 's1')).toEqual({ text: 'm1,m2,m3,m4', coveredTurns: 4 });
    expect(recall.messages).toEqual([
      { role: 'system', content: 'Summary of the earlier conversation:\nm1,m2,m3,m4' },
      ...messagesFrom(5, 9),
    ]);
    expect(recall.text).toBe(
      'Summary of the earlier conversation:\nm1,m2,m3,m4\n\nUser: m5\nAssistant: m6\nUser: m7\nAssistant: m8\nUser: m9',
    );
  });

  it('folds the previous summary and only the newly older messages into the next summary', async () => {
    const store = createInProcessConversationStore();
    const summarizer = aRecordingSummarizer();
    const memory = createSummaryStrategy({
      store,
      maxTurns: 3,
      summarize: summarizer.summarize,
      ttlSeconds: undefined,
    });

    await rememberOneByOne(memory, messagesFrom(1, 13));

    expect(summarizer.calls.map((call) => call.input)).toEqual([
      { previousSummary: undefined, turns: messagesFrom(1, 4) },
      { previousSummary: 'm1,m2,m3,m4', turns: messagesFrom(5, 8) },
    ]);
    expect(await store.summary('acme__bot', 's1')).toEqual({ text: 'm1,m2,m3,m4+m5,m6,m7,m8', coveredTurns: 8 });
  });

  it('summarises a whole batch of turns remembered at once', async () => {
    const store = createInProcessConversationStore();
    const summarizer = aRecordingSummarizer();
    const memory = createSummaryStrategy({
      store,
      maxTurns: 3,
      summarize: summarizer.summarize,
      ttlSeconds: undefined,
    });

    await memory.remember('acme__bot', 's1', messagesFrom(1, 12), noSignal);

    expect(summarizer.calls.map((call) => call.input.turns.length)).toEqual([7]);
    expect((await memory.recall('acme__bot', 's1')).messages.slice(1)).toEqual(messagesFrom(8, 12));
  });

  it('hands the run signal to the summarizer', async () => {
    const store = createInProcessConversationStore();
    const summarizer = aRecordingSummarizer();
    const memory = createSummaryStrategy({
      store,
      maxTurns: 1,
      summarize: summarizer.summarize,
      ttlSeconds: undefined,
    });
    const signal = new AbortController().signal;

    await memory.remember('acme__bot', 's1', messagesFrom(1, 7), signal);

    expect(summarizer.calls[0]?.signal).toBe(signal);
  });

  it('keeps the turns when summarising fails, and summarises on the next turn', async () => {
    const store = createInProcessConversationStore();
    let isModelDown = true;
    const summarizer = aRecordingSummarizer();
    const summarize: Summarize = async (input, signal) => {
      if (isModelDown) throw new Error('model unavailable');
      return summarizer.summarize(input, signal);
    };
    const memory = createSummaryStrategy({ store, maxTurns: 3, summarize, ttlSeconds: undefined });
    await rememberOneByOne(memory, messagesFrom(1, 8));

    const failure = memory.remember('acme__bot', 's1', [message(9)], noSignal);
    await expect(failure).rejects.toThrow('model unavailable');
    isModelDown = false;
    await memory.remember('acme__bot', 's1', [message(10)], noSignal);

    expect(await store.history('acme__bot', 's1')).toHaveLength(10);
    expect(await store.summary('acme__bot', 's1')).toEqual({ text: 'm1,m2,m3,m4,m5', coveredTurns: 5 });
  });

  it('recalls at most max_turns + 5 messages while summarising keeps failing', async () => {
    const store = createInProcessConversationStore();
    const summarize: Summarize = async () => {
      throw new Error('model unavailable');
    };
    const memory = createSummaryStrategy({ store, maxTurns: 3, summarize, ttlSeconds: undefined });
    await store.append('acme__bot', 's1', messagesFrom(1, 20));

    const recall = await memory.recall('acme__bot', 's1');

    expect(recall.messages).toEqual(messagesFrom(13, 20));
  });
});

import { describe, expect, it } from 'vitest';
import { buildMemoryRecall } from './build-memory-recall.ts';

describe('buildMemoryRecall', () => {
  it('renders turns as chat messages and as a transcript', () => {
    const recall = buildMemoryRecall({
      turns: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
      ],
    });

    expect(recall).toEqual({
      messages: [
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
      ],
      text: 'User: Hi\nAssistant: Hello!',
    });
  });

  it('puts the summary first, as a system message and as a heading', () => {
    const recall = buildMemoryRecall({ summary: 'They met.', turns: [{ role: 'user', content: 'Again?' }] });

    expect(recall.messages).toEqual([
      { role: 'system', content: 'Summary of the earlier conversation:\nThey met.' },
      { role: 'user', content: 'Again?' },
    ]);
    expect(recall.text).toBe('Summary of the earlier conversation:\nThey met.\n\nUser: Again?');
  });

  it('recalls nothing for an empty session', () => {
    expect(buildMemoryRecall({ summary: '  ', turns: [] })).toEqual({ messages: [], text: '' });
  });
});

import { describe, expect, it } from 'vitest';
import { runTool } from '../test-support/a-tool-context.ts';
import { textSummarize } from './text-summarize.ts';

const article = [
  'Kubernetes operators automate the management of complex applications on Kubernetes.',
  'The weather in the city was pleasant yesterday afternoon.',
  'An operator watches custom resources and reconciles the cluster toward the desired state.',
  'My cousin enjoys baking bread on weekends.',
  'Operators encode operational knowledge, so Kubernetes can upgrade and heal applications automatically.',
].join(' ');

type Summary = { summary: string; was_summarized: boolean; summary_words?: number };

describe('text_summarize', () => {
  it('keeps the sentences about the main topic', async () => {
    const result = (await runTool(textSummarize, { text: article, max_length: 40 })) as Summary;

    expect(result.summary).toMatch(/reconciles the cluster/);
    expect(result.summary).not.toMatch(/cousin|weather/);
  });

  it('keeps the chosen sentences in their original order', async () => {
    const result = (await runTool(textSummarize, { text: article, max_length: 40 })) as Summary;

    expect(result.summary.indexOf('automate')).toBeLessThan(result.summary.indexOf('reconciles'));
  });

  it('stays within max_length words', async () => {
    const result = (await runTool(textSummarize, { text: article, max_length: 20 })) as Summary;

    expect(result.summary_words).toBeLessThanOrEqual(20);
  });

  it('returns a text that already fits unchanged', async () => {
    const result = await runTool(textSummarize, { text: 'Short and sweet.' });

    expect(result).toEqual({ summary: 'Short and sweet.', was_summarized: false, original_words: 3 });
  });

  it('cuts a single sentence longer than max_length', async () => {
    const longSentence = `${'word '.repeat(50)}end.`;

    const result = (await runTool(textSummarize, { text: longSentence, max_length: 10 })) as Summary;

    expect(result.summary).toBe(`${'word '.repeat(10).trim()}…`);
  });

  it('rejects empty text', () => {
    const parsed = textSummarize.inputSchema.safeParse({ text: '' });

    expect(parsed.error?.issues[0]?.path).toEqual(['text']);
  });
});

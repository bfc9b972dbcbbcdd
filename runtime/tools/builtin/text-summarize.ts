import { z } from 'zod';
import type { Tool } from '../tool-types.ts';

const TextSummarizeInput = z.object({
  text: z.string().min(1).max(1_000_000).describe('The text to summarize.'),
  max_length: z.int().min(10).max(5_000).default(200).describe('Most words the summary may have.'),
});
type TextSummarizeInput = z.infer<typeof TextSummarizeInput>;

// Words that say little about what a text is about; they would otherwise dominate the counts.
const stopWords = new Set(
  (
    'a an and are as at be been but by for from has have he her his i if in into is it its of on or our she ' +
    'so than that the their them then there these they this to was we were what when which who will with ' +
    'would you your not no can could do does did also more most such only other some any all about over'
  ).split(' '),
);

export const textSummarize: Tool<TextSummarizeInput> = {
  name: 'text_summarize',
  description:
    'Shorten a long text to its most informative sentences, kept in their original order, within max_length ' +
    'words. It is extractive (it picks sentences, it does not rewrite them) and instant. Use it to fit a long ' +
    'page or document into your answer; short texts come back unchanged.',
  inputSchema: TextSummarizeInput,
  async run(input) {
    const sentences = sentencesOf(input.text);
    const originalWords = sentences.reduce((total, sentence) => total + sentence.words.length, 0);
    if (originalWords <= input.max_length) {
      return { summary: input.text.trim(), was_summarized: false, original_words: originalWords };
    }
    const summary = pickSentences(sentences, input.max_length);
    return {
      summary,
      was_summarized: true,
      original_words: originalWords,
      summary_words: wordsOf(summary).length,
    };
  },
};

interface Sentence {
  index: number;
  text: string;
  words: string[];
}

function sentencesOf(text: string): Sentence[] {
  const segmenter = new Intl.Segmenter(undefined, { granularity: 'sentence' });
  return [...segmenter.segment(text)]
    .map((segment) => segment.segment.replace(/\s+/g, ' ').trim())
    .filter((sentence) => sentence !== '')
    .map((sentence, index) => ({ index, text: sentence, words: wordsOf(sentence) }));
}

function wordsOf(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu) ?? [];
}

/** A crude plural fold (operators → operator), enough for counting what a text talks about. */
function stemOf(word: string): string {
  return word.length > 3 && word.endsWith('s') && !word.endsWith('ss') ? word.slice(0, -1) : word;
}

/** Scores sentences by how frequent their content words are in the whole text, then keeps the best that fit. */
function pickSentences(sentences: Sentence[], maxWords: number): string {
  const frequency = new Map<string, number>();
  const contentWordsOf = (sentence: Sentence) => sentence.words.filter((word) => !stopWords.has(word)).map(stemOf);
  for (const word of sentences.flatMap(contentWordsOf)) frequency.set(word, (frequency.get(word) ?? 0) + 1);
  const score = (sentence: Sentence) => {
    const content = contentWordsOf(sentence);
    const total = content.reduce((sum, word) => sum + (frequency.get(word) ?? 0), 0);
    // Dividing by the square root favours dense sentences without always picking the shortest;
    // the opening sentence usually states the topic, hence the small bonus.
    return (total / Math.sqrt(Math.max(1, sentence.words.length))) * (sentence.index === 0 ? 1.2 : 1);
  };
  const ranked = [...sentences].sort((a, b) => score(b) - score(a));
  const chosen: Sentence[] = [];
  let words = 0;
  // Stop at the first sentence that does not fit: filling the gap with whatever short sentence
  // still fits would trade a relevant summary for an exact word count.
  for (const sentence of ranked) {
    if (words + sentence.words.length > maxWords) break;
    chosen.push(sentence);
    words += sentence.words.length;
  }
  if (chosen.length === 0) return truncateWords(ranked[0]?.text ?? '', maxWords);
  return chosen
    .sort((a, b) => a.index - b.index)
    .map((sentence) => sentence.text)
    .join(' ');
}

function truncateWords(text: string, maxWords: number): string {
  return `${text.split(/\s+/).slice(0, maxWords).join(' ')}…`;
}

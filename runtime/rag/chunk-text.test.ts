import { describe, expect, it } from 'vitest';
import { type ChunkingStrategy, chunkingStrategies, chunkText } from './chunk-text.ts';

const prose =
  'Astromesh routes each request to a model. The router tries the primary first!\n\n' +
  'When it fails, the fallback answers. Is that all? No: circuit breakers skip a failing provider.\n' +
  'Every turn is kept in memory.';

/** Every property each strategy promises, for any text and sizes. */
function expectChunkingInvariants(text: string, chunks: string[], chunkSize: number, overlap: number) {
  for (const chunk of chunks) {
    expect(Array.from(chunk).length).toBeLessThanOrEqual(chunkSize);
    expect(chunk.trim()).not.toBe('');
    // A lone surrogate would mean a pair was cut in two.
    expect(chunk).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  }
  for (let i = 1; i < chunks.length; i++) {
    const previous = Array.from(chunks[i - 1] ?? '');
    const next = Array.from(chunks[i] ?? '');
    expect(next.slice(0, overlap).join('')).toBe(previous.slice(previous.length - overlap).join(''));
  }
  // Undoing the overlaps gives back the text.
  const rebuilt = chunks.map((chunk, i) => (i === 0 ? chunk : Array.from(chunk).slice(overlap).join(''))).join('');
  expect(rebuilt).toBe(text);
}

describe('chunkText', () => {
  it.each([
    { strategy: 'fixed', chunkSize: 10, overlap: 0 },
    { strategy: 'fixed', chunkSize: 10, overlap: 3 },
    { strategy: 'fixed', chunkSize: 4, overlap: 0 },
    { strategy: 'recursive', chunkSize: 40, overlap: 0 },
    { strategy: 'recursive', chunkSize: 40, overlap: 10 },
    { strategy: 'recursive', chunkSize: 7, overlap: 6 },
    { strategy: 'sentence', chunkSize: 60, overlap: 0 },
    { strategy: 'sentence', chunkSize: 60, overlap: 12 },
    { strategy: 'sentence', chunkSize: 5, overlap: 2 },
  ] satisfies { strategy: ChunkingStrategy; chunkSize: number; overlap: number }[])(
    '$strategy, $chunkSize characters, overlap $overlap: bounded chunks, the exact overlap, nothing lost',
    ({ strategy, chunkSize, overlap }) => {
      const chunks = chunkText(prose, { strategy, chunkSize, overlap });

      expect(chunks.length).toBeGreaterThan(1);
      expectChunkingInvariants(prose, chunks, chunkSize, overlap);
    },
  );

  it('fixed cuts every chunk_size characters, stepping back by the overlap', () => {
    expect(chunkText('abcdefghij', { strategy: 'fixed', chunkSize: 4, overlap: 1 })).toEqual(['abcd', 'defg', 'ghij']);
  });

  it('recursive ends a chunk after a paragraph before a line, a line before a sentence, a sentence before a word', () => {
    const text = 'First paragraph here.\n\nSecond one. It has two sentences.\nAnd a last line with words';

    expect(chunkText(text, { strategy: 'recursive', chunkSize: 40, overlap: 0 })).toEqual([
      'First paragraph here.\n\n',
      'Second one. It has two sentences.\n',
      'And a last line with words',
    ]);
    expect(chunkText('One two. Three four five six', { strategy: 'recursive', chunkSize: 12, overlap: 0 })).toEqual([
      'One two. ',
      'Three four ',
      'five six',
    ]);
  });

  it('recursive takes the separators a pipeline names', () => {
    expect(chunkText('a|b|c;d|e', { strategy: 'recursive', chunkSize: 4, overlap: 0, separators: [';', '|'] })).toEqual(
      ['a|b|', 'c;', 'd|e'],
    );
  });

  it('sentence keeps whole sentences together while they fit', () => {
    const text = 'Hi there. How are you? I am fine! Bye.';

    expect(chunkText(text, { strategy: 'sentence', chunkSize: 25, overlap: 0 })).toEqual([
      'Hi there. How are you? ',
      'I am fine! Bye.',
    ]);
    expect(chunkText('第一句。第二句。', { strategy: 'sentence', chunkSize: 6, overlap: 0 })).toEqual([
      '第一句。',
      '第二句。',
    ]);
  });

  it.each(chunkingStrategies)('%s never splits a surrogate pair, counting an emoji as one character', (strategy) => {
    const text = '😀😃😄😁😆😅🤣😂🙂🙃 🫠😉😊😇🥰😍🤩😘😗☺️';
    const chunks = chunkText(text, { strategy, chunkSize: 3, overlap: 1 });

    expectChunkingInvariants(text, chunks, 3, 1);
    expect(chunks[0]).toBe('😀😃😄');
  });

  it.each(chunkingStrategies)('%s gives no chunks for empty or blank text, and drops blank stretches', (strategy) => {
    expect(chunkText('', { strategy, chunkSize: 10, overlap: 2 })).toEqual([]);
    expect(chunkText(' \n\n\t ', { strategy, chunkSize: 10, overlap: 2 })).toEqual([]);
    const chunks = chunkText(`alpha${' '.repeat(30)}omega`, { strategy, chunkSize: 8, overlap: 0 });
    expect(chunks.every((chunk) => chunk.trim() !== '')).toBe(true);
    expect(chunks.join('')).toContain('alpha');
    expect(chunks.join('')).toContain('omega');
  });

  it('a text shorter than chunk_size is one chunk', () => {
    expect(chunkText('short', { strategy: 'recursive', chunkSize: 512, overlap: 50 })).toEqual(['short']);
  });

  it.each([
    [{ chunkSize: 0, overlap: 0 }, 'chunk_size'],
    [{ chunkSize: 2.5, overlap: 0 }, 'chunk_size'],
    [{ chunkSize: 10, overlap: 10 }, 'chunk_overlap'],
    [{ chunkSize: 10, overlap: -1 }, 'chunk_overlap'],
  ])('refuses %o, naming %s', (sizes, field) => {
    expect(() => chunkText('text', { strategy: 'fixed', ...sizes })).toThrow(expect.objectContaining({ field }));
  });
});

/**
 * Splitting documents into the chunks a vector store keeps (seed 002: chunk_size and
 * chunk_overlap in characters). A character is a Unicode code point, so a chunk never ends
 * inside a surrogate pair. Every strategy slides the same window: a chunk is at most
 * `chunkSize` characters, and the next one starts exactly `overlap` characters before it ends,
 * so the tail of one chunk is the head of the next. Strategies differ only in where a chunk may
 * end: `fixed` anywhere, `recursive` after the best separator in the window (paragraph, line,
 * sentence, word, as upstream's RecursiveChunker prefers them), `sentence` after a sentence.
 * Chunks of whitespace only are dropped.
 */

export const chunkingStrategies = ['recursive', 'fixed', 'sentence'] as const;
export type ChunkingStrategy = (typeof chunkingStrategies)[number];

export interface ChunkOptions {
  strategy: ChunkingStrategy;
  chunkSize: number;
  overlap: number;
  /** recursive only: the separators to end a chunk after, most preferred first. */
  separators?: readonly string[];
}

/** Upstream's default separators for the recursive strategy. */
export const defaultSeparators: readonly string[] = ['\n\n', '\n', '. ', ' '];

export class InvalidChunking extends Error {
  override name = 'InvalidChunking';
  /** The option at fault: `chunk_size` or `chunk_overlap`. */
  readonly field: 'chunk_size' | 'chunk_overlap';

  constructor(field: 'chunk_size' | 'chunk_overlap', message: string) {
    super(message);
    this.field = field;
  }
}

export function chunkText(text: string, options: ChunkOptions): string[] {
  const { chunkSize, overlap } = options;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new InvalidChunking('chunk_size', 'must be a whole number of characters, at least 1');
  }
  if (!Number.isInteger(overlap) || overlap < 0 || overlap >= chunkSize) {
    throw new InvalidChunking('chunk_overlap', `must be a whole number from 0 to chunk_size - 1 (${chunkSize - 1})`);
  }
  const chars = Array.from(text);
  const findEnd = endFinder(options);
  const chunks: string[] = [];
  let start = 0;
  while (start < chars.length) {
    const limit = Math.min(start + chunkSize, chars.length);
    // The end must lie past start + overlap, or the next chunk would not move forward.
    const end = limit === chars.length ? limit : (findEnd(chars, start + overlap + 1, limit) ?? limit);
    const chunk = chars.slice(start, end).join('');
    if (chunk.trim() !== '') chunks.push(chunk);
    if (end === chars.length) break;
    start = end - overlap;
  }
  return chunks;
}

/** Where a chunk may end within [min, max] (exclusive end index), latest best first; undefined: cut at max. */
type EndFinder = (chars: readonly string[], min: number, max: number) => number | undefined;

function endFinder(options: ChunkOptions): EndFinder {
  switch (options.strategy) {
    case 'fixed':
      return () => undefined;
    case 'recursive': {
      const separators = (options.separators ?? defaultSeparators).filter((s) => s !== '').map((s) => Array.from(s));
      return (chars, min, max) => {
        for (const separator of separators) {
          const end = lastEndAfter(chars, separator, min, max);
          if (end !== undefined) return end;
        }
        return undefined;
      };
    }
    case 'sentence':
      return (chars, min, max) => lastSentenceEnd(chars, min, max) ?? lastEndAfter(chars, [' '], min, max);
  }
}

/** The largest end in [min, max] right after an occurrence of `separator`. */
function lastEndAfter(chars: readonly string[], separator: readonly string[], min: number, max: number) {
  for (let end = max; end >= min && end >= separator.length; end--) {
    let matches = true;
    for (let i = 0; i < separator.length; i++) {
      if (chars[end - separator.length + i] !== separator[i]) {
        matches = false;
        break;
      }
    }
    if (matches) return end;
  }
  return undefined;
}

const sentenceEnders = new Set(['.', '!', '?', '…']);
// CJK full stops end a sentence without a following space.
const fullStops = new Set(['。', '！', '？']);

/** The largest end in [min, max] after a sentence: a line break, a CJK full stop, or an end mark and one space. */
function lastSentenceEnd(chars: readonly string[], min: number, max: number) {
  for (let end = max; end >= min && end >= 1; end--) {
    const previous = chars[end - 1] ?? '';
    if (previous === '\n' || fullStops.has(previous)) return end;
    if (/\s/.test(previous) && sentenceEnders.has(chars[end - 2] ?? '')) return end;
  }
  return undefined;
}

/**
 * How a tool's result enters the conversation the model reads, as upstream 0.74.1 does it
 * (`orchestration/observaciones.py`): serialised, and cut to a token budget when it is larger,
 * so one huge result cannot fill the model's context window or its bill. The cut is made as the
 * result enters, never by rewriting earlier ones (that would break the provider's prompt cache).
 *
 * Tokens are estimated as upstream does without litellm: ceil(characters / 4), characters being
 * code points. A list keeps its longest prefix that fits, followed by a note saying how many
 * elements were left out; a record does that to its largest list (reached through records only);
 * anything else has its text cut, with a marker naming the budget and the whole size.
 */

/** Upstream's DEFAULT_MAX_TOOL_RESULT_TOKENS. */
export const defaultMaxToolResultTokens = 8000;

export interface PresentedToolResult {
  /** What the model reads. */
  text: string;
  /** The whole result's estimated tokens. */
  tokens: number;
  truncated: boolean;
  /** List elements left out; 0 when nothing was, or when the text was cut instead. */
  omitted: number;
}

export function presentToolResult(value: unknown, maxTokens: number): PresentedToolResult {
  const text = serialise(value);
  const tokens = estimateTokens(text);
  if (tokens <= maxTokens) return { text, tokens, truncated: false, omitted: 0 };
  const cut = cutLargestList(value, maxTokens);
  if (cut) return { text: cut.text, tokens, truncated: true, omitted: cut.omitted };
  return { text: cutText(text, tokens, maxTokens), tokens, truncated: true, omitted: 0 };
}

export function estimateTokens(text: string): number {
  return Math.ceil(codePointCount(text) / 4);
}

function serialise(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}

// Upstream's note, in English (upstream writes it in Spanish): the model learns that there is more
// and how to get less.
function omissionNote(omitted: number): Record<string, unknown> {
  return {
    _omitted: omitted,
    _note: `result truncated: ${omitted} more elements; ask for a more specific filter`,
  };
}

function cutLargestList(value: unknown, maxTokens: number): { text: string; omitted: number } | undefined {
  if (Array.isArray(value)) return value.length > 1 ? cutList(value, (kept) => kept, maxTokens) : undefined;
  if (!isRecord(value)) return undefined;
  let largest: { path: string[]; size: number } | undefined;
  for (const list of listsIn(value, [])) if (!largest || list.size > largest.size) largest = list;
  if (!largest) return undefined;
  const { path } = largest;
  return cutList(listAt(value, path), (kept) => replaceAt(value, path, kept), maxTokens);
}

/** Each list of more than one element in a record, reached through records only, with its serialised size. */
function* listsIn(record: Record<string, unknown>, path: string[]): Generator<{ path: string[]; size: number }> {
  for (const [key, child] of Object.entries(record)) {
    if (Array.isArray(child) && child.length > 1) yield { path: [...path, key], size: serialise(child).length };
    else if (isRecord(child)) yield* listsIn(child, [...path, key]);
  }
}

function listAt(record: Record<string, unknown>, path: string[]): unknown[] {
  let node: unknown = record;
  for (const key of path) node = (node as Record<string, unknown>)[key];
  return node as unknown[];
}

function replaceAt(record: Record<string, unknown>, path: string[], list: unknown[]): Record<string, unknown> {
  const [key, ...rest] = path as [string, ...string[]];
  return { ...record, [key]: rest.length === 0 ? list : replaceAt(record[key] as Record<string, unknown>, rest, list) };
}

/** The longest prefix of `list` whose whole (`wrap`) with the note fits; undefined if not even one element does. */
function cutList(
  list: unknown[],
  wrap: (kept: unknown[]) => unknown,
  maxTokens: number,
): { text: string; omitted: number } | undefined {
  const textKeeping = (count: number) => serialise(wrap([...list.slice(0, count), omissionNote(list.length - count)]));
  let best: string | undefined;
  let bestCount = 0;
  let low = 1;
  let high = list.length - 1;
  while (low <= high) {
    const middle = Math.floor((low + high) / 2);
    const text = textKeeping(middle);
    if (estimateTokens(text) <= maxTokens) {
      best = text;
      bestCount = middle;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return best === undefined ? undefined : { text: best, omitted: list.length - bestCount };
}

/** Upstream's plain cut: the share of the text the budget allows, less the marker, then the marker. */
function cutText(text: string, tokens: number, maxTokens: number): string {
  const marker = `\n[result truncated: ${maxTokens} of ${tokens} tokens]`;
  const keep = Math.max(0, Math.floor((codePointCount(text) * maxTokens) / Math.max(tokens, 1)) - marker.length);
  return sliceCodePoints(text, keep) + marker;
}

function codePointCount(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    if (isHighSurrogate(text.charCodeAt(i)) && isLowSurrogate(text.charCodeAt(i + 1))) {
      count--;
      i++;
    }
  }
  return count;
}

/** The first `count` code points, never half of a surrogate pair. */
function sliceCodePoints(text: string, count: number): string {
  let index = 0;
  for (let taken = 0; taken < count && index < text.length; taken++) {
    index +=
      isHighSurrogate(text.charCodeAt(index)) && index + 1 < text.length && isLowSurrogate(text.charCodeAt(index + 1))
        ? 2
        : 1;
  }
  return text.slice(0, index);
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

import type { TextMatch } from './guardrail-types.ts';

/** `text` from `start` to `end`, with each match (all inside that range) replaced. */
export function replaceMatches(text: string, start: number, end: number, matches: readonly TextMatch[]): string {
  let result = '';
  let position = start;
  for (const match of matches) {
    result += text.slice(position, match.start) + match.replacement;
    position = match.end;
  }
  return result + text.slice(position, end);
}

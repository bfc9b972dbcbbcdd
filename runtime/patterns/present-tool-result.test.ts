import { describe, expect, it } from 'vitest';
import { estimateTokens, presentToolResult } from './present-tool-result.ts';

const items = (count: number) => Array.from({ length: count }, (_, i) => ({ sku: `sku-${i}`, name: `item ${i}` }));

describe('presentToolResult (a tool result as the model reads it, within its token budget)', () => {
  it('hands over a result within the budget as its JSON, untouched', () => {
    const result = { expression: '6 * 7', result: 42 };

    expect(presentToolResult(result, 8000)).toEqual({
      text: JSON.stringify(result),
      tokens: Math.ceil(JSON.stringify(result).length / 4),
      truncated: false,
      omitted: 0,
    });
  });

  it('estimates tokens as upstream does without litellm: ceil(code points / 4)', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('abcde')).toBe(2);
    // Four emoji are eight UTF-16 units but four characters.
    expect(estimateTokens('😀😀😀😀')).toBe(1);
  });

  it("keeps a list's longest prefix that fits, then a note saying how many elements were left out", () => {
    const list = items(500);

    const presented = presentToolResult(list, 200);
    const shown = JSON.parse(presented.text) as unknown[];
    const kept = shown.length - 1;

    expect(presented.truncated).toBe(true);
    expect(presented.tokens).toBe(estimateTokens(JSON.stringify(list)));
    expect(estimateTokens(presented.text)).toBeLessThanOrEqual(200);
    expect(shown.slice(0, kept)).toEqual(list.slice(0, kept));
    expect(shown.at(-1)).toEqual({
      _omitted: 500 - kept,
      _note: `result truncated: ${500 - kept} more elements; ask for a more specific filter`,
    });
    expect(presented.omitted).toBe(500 - kept);
    // The longest prefix: one element more would not fit.
    const oneMore = JSON.stringify([...list.slice(0, kept + 1), shown.at(-1)]);
    expect(estimateTokens(oneMore)).toBeGreaterThan(200);
  });

  it("cuts a record's largest list (reached through records) and keeps every other field", () => {
    const record = { query: 'widgets', page: { tags: ['a', 'b'], rows: items(300) }, total: 300 };

    const presented = presentToolResult(record, 300);
    const shown = JSON.parse(presented.text);

    expect(shown.query).toBe('widgets');
    expect(shown.total).toBe(300);
    expect(shown.page.tags).toEqual(['a', 'b']);
    expect(shown.page.rows.at(-1)).toMatchObject({ _omitted: presented.omitted });
    expect(shown.page.rows.length - 1 + presented.omitted).toBe(300);
    expect(estimateTokens(presented.text)).toBeLessThanOrEqual(300);
  });

  it('cuts other results as text: the share the budget allows, then a marker naming the budget and the whole size', () => {
    const answer = { answer: 'word '.repeat(2000) };

    const presented = presentToolResult(answer, 100);
    const whole = JSON.stringify(answer);
    const marker = `\n[result truncated: 100 of ${estimateTokens(whole)} tokens]`;

    expect(presented).toMatchObject({ truncated: true, omitted: 0, tokens: estimateTokens(whole) });
    expect(presented.text.endsWith(marker)).toBe(true);
    expect(whole.startsWith(presented.text.slice(0, -marker.length))).toBe(true);
    // floor(characters × budget / tokens): about 4 characters per token, marker included.
    expect(presented.text.length).toBe(Math.floor((whole.length * 100) / estimateTokens(whole)));
  });

  it('falls back to a text cut when not even one element of the list fits', () => {
    const list = ['x'.repeat(4000), 'y'.repeat(4000)];

    const presented = presentToolResult(list, 50);

    expect(presented.omitted).toBe(0);
    expect(presented.text.endsWith(`\n[result truncated: 50 of ${estimateTokens(JSON.stringify(list))} tokens]`)).toBe(
      true,
    );
  });

  it('never cuts a character in half', () => {
    const presented = presentToolResult('😀'.repeat(1000), 20);
    const kept = presented.text.slice(0, presented.text.indexOf('\n['));

    expect(kept).toMatch(/^"(😀)*$/u);
    expect(kept.isWellFormed()).toBe(true);
  });
});

type Edit = { op: ' ' | '-' | '+'; line: string };

// Lines of the changed middle (after the common head and tail are set aside) past which the
// longest-common-subsequence table would take too much memory: the middle is then shown as removed
// and added whole. Still a correct diff, only not the shortest; agent YAML stays far below it.
const maxTableCells = 4_000_000;
const contextLines = 3;

/**
 * A unified diff (as `diff -u` writes it) of two texts, line by line: `---`/`+++` headers, then
 * hunks with 3 lines of context. Empty when the texts are equal. Written here rather than taken
 * from a package: the project has no diff dependency and this is its only use.
 */
export function unifiedLineDiff(input: { from: string; to: string; fromLabel: string; toLabel: string }): string {
  if (input.from === input.to) return '';
  const edits = editsOf(linesOf(input.from), linesOf(input.to));
  const hunks = hunksOf(edits);
  return [`--- ${input.fromLabel}`, `+++ ${input.toLabel}`, ...hunks, ''].join('\n');
}

function linesOf(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

function editsOf(a: string[], b: string[]): Edit[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  return [
    ...a.slice(0, head).map((line) => ({ op: ' ' as const, line })),
    ...middleEdits(midA, midB),
    ...a.slice(a.length - tail).map((line) => ({ op: ' ' as const, line })),
  ];
}

function middleEdits(a: string[], b: string[]): Edit[] {
  const removeAll = a.map((line) => ({ op: '-' as const, line }));
  const addAll = b.map((line) => ({ op: '+' as const, line }));
  if (a.length === 0 || b.length === 0 || (a.length + 1) * (b.length + 1) > maxTableCells) {
    return [...removeAll, ...addAll];
  }
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const width = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i * width + j] =
        a[i] === b[j]
          ? (lcs[(i + 1) * width + j + 1] as number) + 1
          : Math.max(lcs[(i + 1) * width + j] as number, lcs[i * width + j + 1] as number);
    }
  }
  const edits: Edit[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      edits.push({ op: ' ', line: a[i] as string });
      i++;
      j++;
    } else if ((lcs[(i + 1) * width + j] as number) >= (lcs[i * width + j + 1] as number)) {
      edits.push({ op: '-', line: a[i++] as string });
    } else {
      edits.push({ op: '+', line: b[j++] as string });
    }
  }
  while (i < a.length) edits.push({ op: '-', line: a[i++] as string });
  while (j < b.length) edits.push({ op: '+', line: b[j++] as string });
  return edits;
}

function hunksOf(edits: Edit[]): string[] {
  const changed = edits.flatMap((edit, index) => (edit.op === ' ' ? [] : [index]));
  const out: string[] = [];
  let next = 0;
  while (next < changed.length) {
    const start = Math.max(0, (changed[next] as number) - contextLines);
    let end = (changed[next] as number) + contextLines + 1;
    // Changes closer than twice the context share one hunk.
    while (next + 1 < changed.length && (changed[next + 1] as number) - contextLines <= end) {
      next++;
      end = (changed[next] as number) + contextLines + 1;
    }
    end = Math.min(end, edits.length);
    next++;
    const before = edits.slice(0, start);
    const fromStart = before.filter((edit) => edit.op !== '+').length;
    const toStart = before.filter((edit) => edit.op !== '-').length;
    const body = edits.slice(start, end);
    const fromCount = body.filter((edit) => edit.op !== '+').length;
    const toCount = body.filter((edit) => edit.op !== '-').length;
    out.push(`@@ -${rangeOf(fromStart, fromCount)} +${rangeOf(toStart, toCount)} @@`);
    for (const edit of body) out.push(`${edit.op}${edit.line}`);
  }
  return out;
}

// diff -u: a range of one line is its number alone; an empty range names the line before it.
function rangeOf(startIndex: number, count: number): string {
  if (count === 1) return String(startIndex + 1);
  return `${count === 0 ? startIndex : startIndex + 1},${count}`;
}

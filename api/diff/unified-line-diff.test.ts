import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { unifiedLineDiff } from './unified-line-diff.ts';

const diffOf = (from: string, to: string) => unifiedLineDiff({ from, to, fromLabel: 'v1', toLabel: 'v2' });

/** Applies `diff` to `from` with GNU patch, the reader a unified diff is written for. */
function patched(from: string, diff: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'line-diff-'));
  try {
    writeFileSync(join(dir, 'file'), from);
    writeFileSync(join(dir, 'change.diff'), diff);
    execFileSync('patch', ['--quiet', '--force', join(dir, 'file'), join(dir, 'change.diff')]);
    return readFileSync(join(dir, 'file'), 'utf8');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const numbered = (count: number, prefix = 'line') => Array.from({ length: count }, (_, i) => `${prefix} ${i + 1}\n`);

describe('unifiedLineDiff', () => {
  it('is empty for equal texts', () => {
    expect(diffOf('a\nb\n', 'a\nb\n')).toBe('');
  });

  it('writes one hunk with three lines of context around a changed line, as diff -u does', () => {
    const from = numbered(10).join('');
    const to = from.replace('line 5\n', 'line five\n');

    expect(diffOf(from, to)).toBe(
      [
        '--- v1',
        '+++ v2',
        '@@ -2,7 +2,7 @@',
        ' line 2',
        ' line 3',
        ' line 4',
        '-line 5',
        '+line five',
        ' line 6',
        ' line 7',
        ' line 8',
        '',
      ].join('\n'),
    );
    expect(diffOf(from, to)).toBe(gnuDiffOf(from, to));
  });

  it('splits changes far apart into hunks, and patch turns the old text into the new', () => {
    const lines = numbered(40);
    const changed = [...lines];
    changed.splice(2, 1, 'inserted a\n', 'inserted b\n');
    changed.splice(30, 2);
    changed.push('appended\n');

    const diff = diffOf(lines.join(''), changed.join(''));

    expect(diff.match(/^@@ /gm)).toHaveLength(3);
    expect(patched(lines.join(''), diff)).toBe(changed.join(''));
  });

  it('diffs a text against an empty one', () => {
    expect(diffOf('', 'a\nb\n')).toBe('--- v1\n+++ v2\n@@ -0,0 +1,2 @@\n+a\n+b\n');
    expect(patched('a\nb\n', diffOf('a\nb\n', ''))).toBe('');
  });

  it('reorders and rewrites lines so that patch still gets the new text', () => {
    const from = ['b\n', 'a\n', 'c\n', 'a\n', 'b\n', 'b\n', 'a\n'].join('');
    const to = ['c\n', 'b\n', 'a\n', 'b\n', 'a\n', 'c\n'].join('');

    expect(patched(from, diffOf(from, to))).toBe(to);
  });
});

/** What GNU diff -u writes for the same change (it exits 1 when the files differ). */
function gnuDiffOf(from: string, to: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'line-diff-'));
  try {
    writeFileSync(join(dir, 'a'), from);
    writeFileSync(join(dir, 'b'), to);
    return execFileSync(
      'sh',
      ['-c', 'diff -u --label v1 --label v2 "$0" "$1" || true', join(dir, 'a'), join(dir, 'b')],
      {
        encoding: 'utf8',
      },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

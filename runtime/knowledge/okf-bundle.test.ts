import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openOkfBundle } from './okf-bundle.ts';

const fixtureBundle = new URL('../../test/fixtures/okf/support-kb', import.meta.url).pathname;

describe('an OKF bundle as the kb tools read it', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function aBundle(now = '2026-06-01T00:00:00Z') {
    const dir = mkdtempSync(join(tmpdir(), 'okf-bundle-'));
    dirs.push(dir);
    const root = join(dir, 'kb');
    cpSync(fixtureBundle, root, { recursive: true });
    return { dir, root, bundle: openOkfBundle(root, () => new Date(now)) };
  }

  it('finds by type and by all tags, case-insensitively, and includes deprecated concepts only on request', async () => {
    const { bundle } = aBundle();
    const ids = async (query: Parameters<typeof bundle.find>[0]) =>
      (await bundle.find(query)).results.map((result) => result.id);

    expect(await ids({ type: 'policy' })).toEqual(['policies/returns']);
    expect(await ids({ type: 'Policy', includeDeprecated: true })).toEqual([
      'policies/returns',
      'policies/returns-2023',
    ]);
    expect(await ids({ tags: ['SUPPORT', 'returns'] })).toEqual(['policies/returns']);
    expect(await ids({ tags: ['support', 'products'] })).toEqual([]);
    expect(await ids({ limit: 1 })).toEqual(['policies/returns']);
  });

  it('counts invalid concepts in find and in a written index instead of failing, as upstream does after an edit', async () => {
    const { root, bundle } = aBundle();
    writeFileSync(join(root, 'products', 'draft.md'), '---\ntitle: Draft without type\n---\n');
    writeFileSync(
      join(root, 'products', 'toaster.md'),
      '---\ntype: Product\ntitle: Toaster\nstatus: Draft\n---\nTwo slots.\n',
    );

    expect((await bundle.find({ text: 'toaster' })).skipped_invalid).toBe(1);
    expect(await bundle.index('products/')).toBe(
      [
        '# Concepts',
        '',
        '* [Aurora kettle](/products/kettle) - The 1.7 litre electric kettle. [Product, stale]',
        '* [Toaster](/products/toaster) [Product, draft]',
        '',
        '(1 concept(s) skipped: invalid frontmatter)',
        '',
      ].join('\n'),
    );
    expect((await bundle.read('products/toaster')).warnings).toEqual(['DRAFT: not reviewed; may be incomplete.']);
  });

  it('sees an edit at the next call: nothing is cached', async () => {
    const { root, bundle } = aBundle();
    expect((await bundle.read('products/kettle')).title).toBe('Aurora kettle');
    writeFileSync(join(root, 'products', 'kettle.md'), '---\ntype: Product\ntitle: Aurora kettle II\n---\n');
    expect((await bundle.read('products/kettle')).title).toBe('Aurora kettle II');
  });

  it('refuses paths that leave the bundle, symlinks included, and tells a directory or an index from a concept', async () => {
    const { dir, root, bundle } = aBundle();
    writeFileSync(join(dir, 'secret.md'), '---\ntype: Secret\n---\nhunter2\n');
    symlinkSync(join(dir, 'secret.md'), join(root, 'products', 'leak.md'));

    await expect(bundle.read('../secret')).rejects.toThrow('outside bundle: ../secret');
    await expect(bundle.read('products/leak')).rejects.toThrow('outside bundle: products/leak');
    await expect(bundle.index('../')).rejects.toThrow('outside bundle: ../');
    await expect(bundle.read('policies')).rejects.toThrow('not a concept: policies');
    await expect(bundle.read('index')).rejects.toThrow('not a concept: index');
    await expect(bundle.index('products/kettle.md')).rejects.toThrow('not a directory: products/kettle.md');
    // A symlinked concept is no search result either.
    expect((await bundle.find({ text: 'hunter2' })).results).toEqual([]);
  });

  it('marks a concept stale only once its stale_after has passed', async () => {
    const before = aBundle('2019-12-31T23:59:59Z').bundle;
    expect((await before.read('products/kettle')).stale).toBe(false);
    const after = aBundle('2020-01-01T00:00:00Z').bundle;
    expect((await after.read('products/kettle')).stale).toBe(true);
  });
});

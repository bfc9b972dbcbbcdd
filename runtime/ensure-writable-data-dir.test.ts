import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirNotWritable, ensureWritableDataDir } from './ensure-writable-data-dir.ts';

describe('ensureWritableDataDir', () => {
  const scratch: string[] = [];
  afterEach(() => {
    for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const aScratchDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'data-dir-'));
    scratch.push(dir);
    return dir;
  };

  it('creates a missing data directory and its parents, readable by the owner only, and leaves no probe behind', async () => {
    const dir = join(aScratchDir(), 'state', 'astromeshd');

    await ensureWritableDataDir(dir);

    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('accepts an existing data directory and keeps what is in it', async () => {
    const dir = aScratchDir();
    writeFileSync(join(dir, 'conversations.sqlite'), 'kept');

    await ensureWritableDataDir(dir);

    expect(readdirSync(dir)).toEqual(['conversations.sqlite']);
  });

  it('refuses a data directory it cannot create, naming --data-dir and the path', async () => {
    // Under a regular file: no directory can be made there, even by root (the tests run as root).
    const file = join(aScratchDir(), 'not-a-folder');
    writeFileSync(file, '');
    const dir = join(file, 'data');

    const checking = ensureWritableDataDir(dir);

    await expect(checking).rejects.toBeInstanceOf(DataDirNotWritable);
    await expect(checking).rejects.toThrow(`--data-dir ${dir}: cannot create or write the data directory (ENOTDIR)`);
  });
});

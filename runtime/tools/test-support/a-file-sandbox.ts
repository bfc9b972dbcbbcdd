import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';

export interface FileSandbox {
  /** The directory a file tool is allowed to use (a real path). */
  allowed: string;
  /** A sibling directory it is not, holding `secret.txt`. */
  outside: string;
}

/** A fresh temporary directory tree for one test, removed when the test finishes. */
export async function aFileSandbox(): Promise<FileSandbox> {
  const base = await realpath(await mkdtemp(join(tmpdir(), 'astromesh-files-')));
  onTestFinished(() => rm(base, { recursive: true, force: true }));
  const allowed = join(base, 'allowed');
  const outside = join(base, 'outside');
  await mkdir(allowed);
  await mkdir(outside);
  await writeFile(join(outside, 'secret.txt'), 'top secret');
  return { allowed, outside };
}

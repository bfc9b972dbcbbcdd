import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * What a Studio build is made from: its sources, its build config and script, the API schemas it
 * imports, and the lockfile (dependency versions). A build is stale when this hash differs from the one
 * written beside it.
 */
export function studioSourceHash(repoRoot: string): string {
  const inputs = [
    'studio/src',
    'studio/index.html',
    'studio/vite.config.ts',
    'studio/build/build-studio.ts',
    'studio/tsconfig.json',
    'api/schemas',
    'package-lock.json',
  ];
  const hash = createHash('sha256');
  for (const file of inputs.flatMap((input) => filesUnder(join(repoRoot, input))).sort()) {
    hash.update(relative(repoRoot, file)).update('\0').update(readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

function filesUnder(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true }).flatMap((entry) => filesUnder(join(path, entry.name)));
}

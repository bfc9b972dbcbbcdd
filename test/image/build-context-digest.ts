import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * A digest of everything a `docker build` of the repository can read: the Dockerfile, the
 * .dockerignore, and every file below the paths the .dockerignore lets back in (its `!` lines),
 * with their modes. It covers more than the build context (tests beside the sources, say), so an
 * unchanged digest means an unchanged context; a changed one only means "ask the builder".
 */
export function buildContextDigest(repoRoot: string): string {
  const hash = createHash('sha256');
  const add = (path: string) => {
    const full = join(repoRoot, path);
    const stat = statSync(full);
    if (stat.isDirectory()) {
      for (const name of readdirSync(full).sort()) add(join(path, name));
      return;
    }
    hash.update(`${path}\0${stat.mode}\0${stat.size}\0`);
    hash.update(readFileSync(full));
  };
  const dockerignore = readFileSync(join(repoRoot, '.dockerignore'), 'utf8');
  const letIn = dockerignore
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('!'))
    .map((line) => relative('.', line.slice(1).replace(/^\/+/, '').replace(/\/+$/, '')));
  for (const path of ['Dockerfile', '.dockerignore', ...letIn]) {
    if (existsSync(join(repoRoot, path))) add(path);
    else hash.update(`${path}\0missing\0`);
  }
  return hash.digest('hex');
}

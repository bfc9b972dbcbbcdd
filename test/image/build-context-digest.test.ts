import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildContextDigest } from './build-context-digest.ts';

// npm run image skips the product build when this digest is unchanged, so a change it misses
// would ship a stale image.
const repos: string[] = [];
afterEach(() => {
  for (const repo of repos.splice(0)) rmSync(repo, { recursive: true, force: true });
});

function aRepository(): string {
  const repo = mkdtempSync(join(tmpdir(), 'astromesh-context-digest-'));
  repos.push(repo);
  writeFileSync(join(repo, 'Dockerfile'), 'FROM node:24-bookworm-slim\nCOPY runtime ./runtime\n');
  writeFileSync(join(repo, '.dockerignore'), '*\n!package.json\n!runtime/\n**/*.test.ts\n');
  writeFileSync(join(repo, 'package.json'), '{}\n');
  mkdirSync(join(repo, 'runtime', 'server'), { recursive: true });
  writeFileSync(join(repo, 'runtime', 'server', 'main.ts'), 'export {};\n');
  mkdirSync(join(repo, 'docs'));
  writeFileSync(join(repo, 'docs', 'install.md'), '# Install\n');
  return repo;
}

describe('buildContextDigest', () => {
  it('changes when a file below a path the .dockerignore lets in changes, or its mode does', () => {
    const repo = aRepository();
    const before = buildContextDigest(repo);

    writeFileSync(join(repo, 'runtime', 'server', 'main.ts'), 'export const changed = true;\n');
    const afterEdit = buildContextDigest(repo);
    chmodSync(join(repo, 'runtime', 'server', 'main.ts'), 0o755);
    const afterChmod = buildContextDigest(repo);

    expect(afterEdit).not.toBe(before);
    expect(afterChmod).not.toBe(afterEdit);
  });

  it('changes with the Dockerfile, the .dockerignore and a new file in the context', () => {
    const repo = aRepository();
    const before = buildContextDigest(repo);

    writeFileSync(join(repo, 'runtime', 'new.ts'), 'export {};\n');
    const afterNewFile = buildContextDigest(repo);
    writeFileSync(join(repo, 'Dockerfile'), 'FROM node:24-bookworm-slim\nCOPY runtime /srv/runtime\n');
    const afterDockerfile = buildContextDigest(repo);
    writeFileSync(join(repo, '.dockerignore'), '*\n!package.json\n!runtime/\n!docs/\n');
    const afterDockerignore = buildContextDigest(repo);

    expect(new Set([before, afterNewFile, afterDockerfile, afterDockerignore]).size).toBe(4);
  });

  it('stays the same for files no build can read', () => {
    const repo = aRepository();
    const before = buildContextDigest(repo);

    writeFileSync(join(repo, 'docs', 'install.md'), '# Install, rewritten\n');
    writeFileSync(join(repo, 'README.md'), 'new\n');

    expect(buildContextDigest(repo)).toBe(before);
  });
});

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { locateImageStore } from './locate-image-store.ts';
import { locateImagesDir } from './locate-images.ts';
import { readNodeBase } from './read-node-base.ts';

// The stand-in for node:<version>-bookworm-slim that `npm run image` made in its buildah store.
const repoRoot = resolve(import.meta.dirname, '..', '..');
const base = readNodeBase(repoRoot);
const store = locateImageStore(locateImagesDir());
const buildah = (args: string[]) => execFileSync('buildah', [...store.flags, ...args], { encoding: 'utf8' }).trim();

/** Runs a shell command in a throwaway container of the stand-in base; returns its stdout. */
function inBase(command: string): string {
  const container = buildah(['from', '--quiet', '--pull-never', base.reference]);
  try {
    return buildah(['run', '--isolation', 'chroot', container, '--', 'sh', '-c', command]);
  } finally {
    buildah(['rm', container]);
  }
}

describe('the stand-in Node base image', () => {
  it('carries the official name the Dockerfile builds on', () => {
    const dockerfile = readFileSync(resolve(repoRoot, 'Dockerfile'), 'utf8');

    const names = buildah(['images', '--format', '{{.Name}}:{{.Tag}}', base.reference]);

    expect(dockerfile).toContain(`FROM ${base.reference.replace('docker.io/library/', '')}`);
    expect(names.split('\n')).toEqual([base.reference]);
  });

  it('holds exactly the Node binary the project pins, and the npm that Node release ships', () => {
    const pinned = createHash('sha256').update(readFileSync(base.nodeBinary)).digest('hex');

    const [nodeVersion, npmVersion, nodeDigest] = inBase(
      'node --version && npm --version && sha256sum /usr/local/bin/node',
    ).split('\n');

    expect(nodeVersion).toBe(`v${base.nodeVersion}`);
    expect(npmVersion).toBe(base.npmVersion);
    expect(nodeDigest?.split(' ')[0]).toBe(pinned);
  }, 60_000);

  it('is Debian bookworm with the official image’s node user and no CA bundle of the build machine', () => {
    const [release, nodeUser, caBundles] = inBase(
      '. /etc/os-release && echo "$VERSION_CODENAME" && id -u node && ls /etc/ssl/certs 2>/dev/null | wc -l',
    ).split('\n');

    expect(release).toBe(base.suite);
    expect(nodeUser).toBe('1000');
    expect(caBundles).toBe('0');
  }, 60_000);
});

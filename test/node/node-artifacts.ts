import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot } from '../binaries/locate-test-binaries.ts';
import { writeSingleBinaryImage } from './write-single-binary-image.ts';

const pauseSourceDir = join(import.meta.dirname, '..', 'image', 'pause');

export interface ImageArchive {
  reference: string;
  archive: string;
}

/**
 * The pause program (test/image/pause), built into the cache keyed by its source, so a changed
 * source is a new binary and never a stale one. A static Go binary of no dependencies: ~2 s.
 */
export function pauseBinary(env: NodeJS.ProcessEnv = process.env): string {
  const hash = createHash('sha256');
  for (const file of readdirSync(pauseSourceDir).sort())
    hash.update(file).update(readFileSync(join(pauseSourceDir, file)));
  const dir = join(cacheRoot(env), 'node', `pause-${hash.digest('hex').slice(0, 16)}`);
  const binary = join(dir, 'pause');
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  execFileSync('go', ['build', '-trimpath', '-ldflags=-s -w', '-o', `${binary}.partial`, '.'], {
    cwd: pauseSourceDir,
    env: { ...env, CGO_ENABLED: '0', PATH: `${env.PATH ?? ''}:/usr/local/go/bin` },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  renameSync(`${binary}.partial`, binary);
  return binary;
}

/** An image of one binary (its entrypoint), written once into the cache per binary and recipe. */
export function singleBinaryImage(params: {
  binary: string;
  repository: string;
  env?: NodeJS.ProcessEnv;
}): ImageArchive {
  const { binary, repository, env = process.env } = params;
  const tag = createHash('sha256')
    .update(readFileSync(binary))
    .update(readFileSync(join(import.meta.dirname, 'write-single-binary-image.ts')))
    .digest('hex')
    .slice(0, 16);
  const dir = join(cacheRoot(env), 'node', 'images');
  mkdirSync(dir, { recursive: true });
  const reference = `localhost/astromesh-test/${repository}:${tag}`;
  const archive = join(dir, `${repository}-${tag}.tar`);
  if (!existsSync(archive)) writeSingleBinaryImage({ binary, reference, archive });
  return { reference, archive };
}

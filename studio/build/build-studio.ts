#!/usr/bin/env node
// Builds Studio into studio/dist for the Cloud API to serve at /studio. `npm start` and `npm test`
// run it with --if-stale (a fresh clone needs no command of its own); `npm run studio:build`
// always builds.
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { studioSourceHash } from './studio-source-hash.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const distDir = join(repoRoot, 'studio/dist');
// Beside the build, not in it for the browser: the API serves only index.html and assets/.
const hashFile = join(distDir, '.source-hash');

const args = process.argv.slice(2);
const unknown = args.find((arg) => arg !== '--if-stale');
if (unknown) {
  process.stderr.write(`build-studio: unknown argument '${unknown}' (usage: build-studio.ts [--if-stale])\n`);
  process.exit(2);
}

const sourceHash = studioSourceHash(repoRoot);
const builtHash = existsSync(hashFile) ? readFileSync(hashFile, 'utf8').trim() : undefined;
if (args.includes('--if-stale') && builtHash === sourceHash && existsSync(join(distDir, 'index.html'))) {
  process.stdout.write('studio: build is up to date (studio/dist)\n');
  process.exit(0);
}

// Built beside studio/dist and then swapped in, so an API serving the old build (a test file, or
// `npm start` in another shell) never sees a half-written one, and two builds at once (vitest
// workers) do not write into each other's files.
// Vite is a dev dependency: where only production dependencies are installed, `npm start` still
// starts the API (whose /studio then answers 503 naming the build command) instead of failing here.
// Always a production build, whoever runs this: under vitest (NODE_ENV=test) Vite and the Preact
// preset built with development JSX, which put every source file's absolute path (and hook names)
// into the bundle, and that build then stood for these sources in npm start and the image.
process.env.NODE_ENV = 'production';
const vite = await import('vite').catch((err: unknown) => {
  if (!args.includes('--if-stale')) throw err;
  process.stderr.write(
    `studio: not built (${(err as Error).message}); install the dev dependencies (npm ci) and run npm run studio:build\n`,
  );
  process.exit(0);
});
const startedAt = performance.now();
const buildDir = join(repoRoot, 'studio', `.dist-${process.pid}`);
try {
  await vite.build({
    configFile: join(repoRoot, 'studio/vite.config.ts'),
    mode: 'production',
    logLevel: 'warn',
    build: { outDir: buildDir, emptyOutDir: true },
  });
  writeFileSync(join(buildDir, '.source-hash'), `${sourceHash}\n`);
  const oldDir = `${buildDir}-old`;
  if (existsSync(distDir)) renameSync(distDir, oldDir);
  try {
    renameSync(buildDir, distDir);
  } catch (err) {
    // Another build swapped its own in between: fine if it was built from the same sources.
    if (!existsSync(hashFile) || readFileSync(hashFile, 'utf8').trim() !== sourceHash) throw err;
  }
  rmSync(oldDir, { recursive: true, force: true });
} finally {
  rmSync(buildDir, { recursive: true, force: true });
}
process.stdout.write(`studio: built studio/dist in ${((performance.now() - startedAt) / 1000).toFixed(1)} s\n`);

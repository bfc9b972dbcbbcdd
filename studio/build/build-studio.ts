#!/usr/bin/env node
// Builds Studio into studio/dist for the Cloud API to serve at /studio. `npm start` and `npm test`
// run it with --if-stale (a fresh clone needs no command of its own); `npm run studio:build`
// always builds.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
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

const startedAt = performance.now();
await build({ configFile: join(repoRoot, 'studio/vite.config.ts'), logLevel: 'warn' });
writeFileSync(hashFile, `${sourceHash}\n`);
process.stdout.write(`studio: built studio/dist in ${((performance.now() - startedAt) / 1000).toFixed(1)} s\n`);

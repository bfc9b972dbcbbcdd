import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot } from './locate-test-binaries.ts';

export const upstreamAstromeshRequirementsFile = join(import.meta.dirname, 'upstream-astromesh-requirements.txt');

export interface UpstreamAstromeshInstall {
  /** The astromesh release pinned in upstream-astromesh-requirements.txt. */
  version: string;
  venvDir: string;
  /** The virtualenv's python, which serves upstream with `-m uvicorn astromesh.api.main:app`. */
  python: string;
  /** Written last by the installer: a virtualenv without it is half-installed. */
  completeMarker: string;
}

/**
 * Where the benchmark's upstream Astromesh lives: a virtualenv in the test cache, named for the
 * pinned release, the Python it was built with and a digest of every pin, so changing either
 * installs afresh instead of reusing a virtualenv that no longer matches.
 */
export function locateUpstreamAstromesh(
  pythonVersion: string,
  env: NodeJS.ProcessEnv = process.env,
): UpstreamAstromeshInstall {
  const requirements = readFileSync(upstreamAstromeshRequirementsFile, 'utf8');
  const version = /^astromesh==(\S+)$/m.exec(requirements)?.[1];
  if (!version) throw new Error(`${upstreamAstromeshRequirementsFile} does not pin astromesh==<version>`);
  const digest = createHash('sha256').update(requirements).digest('hex').slice(0, 12);
  const venvDir = join(cacheRoot(env), 'upstream-astromesh', `${version}-py${pythonVersion}-${digest}`);
  return {
    version,
    venvDir,
    python: join(venvDir, 'bin', 'python'),
    completeMarker: join(venvDir, '.astromesh-complete'),
  };
}

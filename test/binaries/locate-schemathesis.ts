import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cacheRoot } from './locate-test-binaries.ts';

export const schemathesisRequirementsFile = join(import.meta.dirname, 'schemathesis-requirements.txt');

export interface SchemathesisInstall {
  /** The schemathesis release pinned in schemathesis-requirements.txt. */
  version: string;
  venvDir: string;
  /** The `schemathesis` command inside the virtualenv. */
  executable: string;
  /** Written last by the installer: a virtualenv without it is half-installed. */
  completeMarker: string;
}

/**
 * Where the fuzz suites' schemathesis lives: a virtualenv in the same cache as the Kubernetes
 * binaries, named for the pinned release and a digest of every pin, so changing any pin installs
 * afresh instead of reusing a virtualenv that no longer matches the file.
 */
export function locateSchemathesis(env: NodeJS.ProcessEnv = process.env): SchemathesisInstall {
  const requirements = readFileSync(schemathesisRequirementsFile, 'utf8');
  const version = /^schemathesis==(\S+)$/m.exec(requirements)?.[1];
  if (!version) throw new Error(`${schemathesisRequirementsFile} does not pin schemathesis==<version>`);
  const digest = createHash('sha256').update(requirements).digest('hex').slice(0, 12);
  const venvDir = join(cacheRoot(env), 'schemathesis', `${version}-${digest}`);
  return {
    version,
    venvDir,
    executable: join(venvDir, 'bin', 'schemathesis'),
    completeMarker: join(venvDir, '.astromesh-complete'),
  };
}

import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** A program a test runs, by name (searched on the usual PATH) or absolute path, and its Debian package. */
export interface DebianProgram {
  program: string;
  debianPackage: string;
}

const searchPath = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Where `program` is installed, or undefined. */
export function locateProgram(program: string): string | undefined {
  if (program.startsWith('/')) return existsSync(program) ? program : undefined;
  return searchPath.map((dir) => join(dir, program)).find((path) => existsSync(path));
}

/**
 * Installs with apt-get (output shown, as a CI log needs) the Debian packages of the programs
 * that are missing; `purpose` says who needs them. Needs root; when the install is impossible the
 * error names each package and the command that installs it.
 */
export function ensureDebianPrograms(programs: DebianProgram[], purpose: string, log: (line: string) => void): void {
  const missing = missingPackages(programs);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `${purpose} need these Debian packages, and only root can install them: apt-get install ${missing.join(' ')}`,
    );
  }
  log(`installing ${missing.join(', ')} with apt-get (${purpose} need them)`);
  const aptGet = (args: string[]) =>
    spawnSync('apt-get', args, {
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  let install = aptGet(['install', '-y', '--no-install-recommends', ...missing]);
  if (install.status !== 0) {
    // A new machine may have stale package lists.
    log('apt-get install failed; running apt-get update and trying once more');
    aptGet(['update']);
    install = aptGet(['install', '-y', '--no-install-recommends', ...missing]);
  }
  const stillMissing = missingPackages(programs);
  if (install.status !== 0 || stillMissing.length > 0) {
    throw new Error(
      `${purpose} need these Debian packages, and apt-get could not install them (exit ${install.status}${install.error ? `, ${install.error.message}` : ''}): ${stillMissing.join(' ')}. Install them: apt-get install ${stillMissing.join(' ')}`,
    );
  }
}

function missingPackages(programs: DebianProgram[]): string[] {
  const missing = programs.filter(({ program }) => locateProgram(program) === undefined);
  return [...new Set(missing.map(({ debianPackage }) => debianPackage))];
}

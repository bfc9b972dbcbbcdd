import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { runInstallStep } from './run-install-step.ts';

/**
 * Builds a fresh virtualenv at venvDir with every package a requirements file pins, as binary
 * wheels from PyPI. A virtualenv's scripts hold its absolute path, so it cannot be built aside and
 * renamed into place: a half-built one is removed and built again, and the caller's completion
 * marker, written after it checks the result, is what makes it count.
 */
export async function installRequirementsVirtualenv(options: {
  python: string;
  venvDir: string;
  requirementsFile: string;
}): Promise<void> {
  const { python, venvDir, requirementsFile } = options;
  rmSync(venvDir, { recursive: true, force: true });
  mkdirSync(dirname(venvDir), { recursive: true });
  await runInstallStep(python, ['-m', 'venv', venvDir]);
  await runInstallStep(join(venvDir, 'bin', 'pip'), [
    'install',
    '--no-input',
    '--disable-pip-version-check',
    '--only-binary=:all:',
    '--requirement',
    requirementsFile,
  ]);
}

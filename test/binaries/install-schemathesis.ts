import { existsSync, writeFileSync } from 'node:fs';
import { installRequirementsVirtualenv } from './install-requirements-virtualenv.ts';
import { locateSchemathesis, schemathesisRequirementsFile } from './locate-schemathesis.ts';
import { runInstallStep as run } from './run-install-step.ts';

// schemathesis 4.x needs Python 3.11 or newer (its Requires-Python).
const minimumPython = [3, 11] as const;

/**
 * Installs the pinned schemathesis (test/binaries/schemathesis-requirements.txt) into a cached
 * virtualenv for the fuzz suites; returns at once when that virtualenv is complete. Packages come
 * from PyPI through pip's ordinary configuration, and from nowhere else: a local wheel folder
 * (PIP_FIND_LINKS) is switched off so every machine installs the same files.
 */
export async function installSchemathesis(log: (message: string) => void): Promise<void> {
  const install = locateSchemathesis();
  if (existsSync(install.completeMarker)) return;
  const python = await pythonForVirtualenv();
  log(`installing schemathesis ${install.version} from PyPI into ${install.venvDir} (about 30 s)`);
  await installRequirementsVirtualenv({
    python,
    venvDir: install.venvDir,
    requirementsFile: schemathesisRequirementsFile,
  });
  const reported = await run(install.executable, ['--version']);
  if (!reported.includes(install.version)) {
    throw new Error(`the installed schemathesis reports '${reported.trim()}', not ${install.version}`);
  }
  writeFileSync(install.completeMarker, `${reported.trim()}\n`);
}

async function pythonForVirtualenv(): Promise<string> {
  const python = 'python3';
  let version: string;
  try {
    version = await run(python, ['-c', 'import sys, venv; print("%d.%d" % sys.version_info[:2])']);
  } catch (err) {
    throw new Error(
      `schemathesis needs Python ${minimumPython.join('.')}+ with the venv module on PATH as python3: ${(err as Error).message}`,
    );
  }
  const [major = 0, minor = 0] = version.trim().split('.').map(Number);
  if (major < minimumPython[0] || (major === minimumPython[0] && minor < minimumPython[1])) {
    throw new Error(`schemathesis needs Python ${minimumPython.join('.')}+, but python3 is ${version.trim()}`);
  }
  return python;
}

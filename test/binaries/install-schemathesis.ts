import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { locateSchemathesis, schemathesisRequirementsFile } from './locate-schemathesis.ts';

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
  // A virtualenv's scripts hold its absolute path, so it cannot be built aside and renamed into
  // place: a half-built one is removed and built again, and only the marker makes it count.
  rmSync(install.venvDir, { recursive: true, force: true });
  mkdirSync(dirname(install.venvDir), { recursive: true });
  await run(python, ['-m', 'venv', install.venvDir]);
  await run(`${install.venvDir}/bin/pip`, [
    'install',
    '--no-input',
    '--disable-pip-version-check',
    '--only-binary=:all:',
    '--requirement',
    schemathesisRequirementsFile,
  ]);
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

function run(command: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const { PIP_FIND_LINKS: _localWheels, ...env } = process.env;
    const child = spawn(command, args, { env: { ...env, PIP_NO_INPUT: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else
        reject(new Error(`${command} ${args.join(' ')} failed with exit code ${code}:\n${(stderr || stdout).trim()}`));
    });
  });
}

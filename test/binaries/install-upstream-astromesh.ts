import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { installRequirementsVirtualenv } from './install-requirements-virtualenv.ts';
import {
  locateUpstreamAstromesh,
  type UpstreamAstromeshInstall,
  upstreamAstromeshRequirementsFile,
} from './locate-upstream-astromesh.ts';
import { runInstallStep as run } from './run-install-step.ts';

// astromesh 0.74.1's Requires-Python.
const minimumPython = [3, 12] as const;

/**
 * Installs the pinned upstream Astromesh (test/binaries/upstream-astromesh-requirements.txt) into a
 * cached virtualenv for the upstream race benchmark, built with the oldest Python ≥ 3.12 that
 * pyenv holds (else python3 on PATH); returns at once when that virtualenv is complete. Not part
 * of `npm run test:binaries`: no test needs upstream.
 */
export async function installUpstreamAstromesh(
  log: (message: string) => void,
  env: NodeJS.ProcessEnv = process.env,
): Promise<UpstreamAstromeshInstall> {
  const { python, version: pythonVersion } = await pythonForUpstream(env);
  const install = locateUpstreamAstromesh(pythonVersion, env);
  if (existsSync(install.completeMarker)) {
    log(`upstream astromesh ${install.version} (Python ${pythonVersion}): reusing ${install.venvDir}`);
    return install;
  }
  log(
    `installing upstream astromesh ${install.version} from PyPI with Python ${pythonVersion} into ${install.venvDir}`,
  );
  log('  creating the virtualenv and installing the pinned wheels (about 15 s)…');
  await installRequirementsVirtualenv({
    python,
    venvDir: install.venvDir,
    requirementsFile: upstreamAstromeshRequirementsFile,
  });
  log('  checking that it imports the runtime server…');
  const reported = await run(install.python, [
    '-c',
    'import importlib.metadata as m, astromesh.api.main, uvicorn; print(m.version("astromesh"))',
  ]);
  if (reported.trim() !== install.version) {
    throw new Error(`the installed astromesh reports '${reported.trim()}', not ${install.version}`);
  }
  writeFileSync(install.completeMarker, `astromesh ${reported.trim()} on Python ${pythonVersion}\n`);
  log(`  upstream astromesh ${install.version} installed`);
  return install;
}

async function pythonForUpstream(env: NodeJS.ProcessEnv): Promise<{ python: string; version: string }> {
  const candidates = [...pyenvPythons(env), 'python3'];
  const seen: string[] = [];
  for (const python of candidates) {
    let version: string;
    try {
      version = (await run(python, ['-c', 'import sys, venv; print("%d.%d.%d" % sys.version_info[:3])'])).trim();
    } catch {
      continue;
    }
    seen.push(`${python} (${version})`);
    if (isAtLeastMinimum(version)) return { python, version };
  }
  throw new Error(
    `upstream astromesh needs Python ${minimumPython.join('.')}+ with the venv module (pyenv install 3.12, or python3 on PATH); found ${seen.join(', ') || 'none'}`,
  );
}

/** pyenv's Pythons ≥ 3.12, oldest first (issue 13's race ran upstream on 3.12). */
function pyenvPythons(env: NodeJS.ProcessEnv): string[] {
  const versionsDir = join(env.PYENV_ROOT || join(homedir(), '.pyenv'), 'versions');
  if (!existsSync(versionsDir)) return [];
  return readdirSync(versionsDir)
    .filter((name) => /^\d+\.\d+\.\d+$/.test(name) && isAtLeastMinimum(name))
    .sort((a, b) => compareVersions(a, b))
    .map((name) => join(versionsDir, name, 'bin', 'python'));
}

function isAtLeastMinimum(version: string): boolean {
  return compareVersions(version, minimumPython.join('.')) >= 0;
}

function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map((version) => version.split('.').map(Number));
  for (let i = 0; i < 3; i++) {
    const difference = (x?.[i] ?? 0) - (y?.[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
